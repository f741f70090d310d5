using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Lode.TestKit;

/// <summary>Captures every log entry of a server under test, with its structured fields, for assertions.</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> records = new();

    public IReadOnlyCollection<LogRecord> Records => records;

    /// <summary>The access-log lines (one per RPC).</summary>
    public IEnumerable<LogRecord> AccessLog => records.Where(r => r.EventId == 1);

    public ILogger CreateLogger(string categoryName) => new SinkLogger(categoryName, records);

    public void Dispose()
    {
    }

    private sealed class SinkLogger(string category, ConcurrentQueue<LogRecord> records) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = new Dictionary<string, object?>();
            if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (k, v) in pairs)
                {
                    fields[k] = v;
                }
            }

            records.Enqueue(new LogRecord(category, logLevel, eventId.Id, formatter(state, exception), fields, exception, state));
        }
    }
}

/// <summary>One captured log entry.</summary>
public sealed record LogRecord(string Category, LogLevel Level, int EventId, string Message,
    IReadOnlyDictionary<string, object?> Fields, Exception? Exception, object? State);
