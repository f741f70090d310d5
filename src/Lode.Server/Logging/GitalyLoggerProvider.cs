using System.Buffers;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Logging;

/// <summary>
/// Writes Lode's logs to stdout in Gitaly's JSON or text format. Replaces the console logger, whose
/// string-then-reformat path cost more than the rest of a small RPC's pipeline (see bench/ rpc-exists).
/// </summary>
[ProviderAlias("Gitaly")]
public sealed class GitalyLoggerProvider(LogOutput output, bool json) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider? scopes;

    public ILogger CreateLogger(string categoryName) => new GitalyLogger(this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? cachedBuffer;

    private void Write<TState>(LogLevel level, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var buffer = cachedBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var message = formatter(state, exception);
        if (json)
        {
            LogLineWriter.WriteJson(buffer, level, message, state, exception, scopes);
        }
        else
        {
            LogLineWriter.WriteText(buffer, level, message, state, exception, scopes);
        }

        var line = ArrayPool<byte>.Shared.Rent(buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(line);
        output.Write(line, buffer.WrittenCount);
    }

    private sealed class GitalyLogger(GitalyLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider.scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, state, exception, formatter);
            }
        }
    }
}
