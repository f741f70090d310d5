using System.Buffers;
using System.Threading.Channels;

namespace Lode.Server.Logging;

/// <summary>
/// The one writer of log lines to stdout. Callers hand over finished UTF-8 lines; a background task writes them
/// in batches and flushes when the queue runs dry, so logging never does a syscall on the request path. When the
/// queue is full, callers wait rather than drop lines: an access log with holes is worse than a slow request.
/// </summary>
public sealed class LogOutput : IAsyncDisposable
{
    private readonly Channel<LogLine> lines = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(16384)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Stream stream;
    private readonly Task pump;

    public LogOutput(Stream stream)
    {
        this.stream = stream;
        pump = Task.Run(PumpAsync);
    }

    /// <summary>Queues a line; the buffer must come from <see cref="ArrayPool{T}.Shared"/> and is returned after writing.</summary>
    public void Write(byte[] buffer, int length)
    {
        var line = new LogLine(buffer, length);
        if (!lines.Writer.TryWrite(line))
        {
            // Back-pressure: the queue is full or closed. Waiting keeps every line; after shutdown it is dropped.
            try
            {
                lines.Writer.WriteAsync(line).AsTask().GetAwaiter().GetResult();
            }
            catch (ChannelClosedException)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lines.Writer.TryComplete();
        await pump;
    }

    private async Task PumpAsync()
    {
        var reader = lines.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var line))
            {
                try
                {
                    await stream.WriteAsync(line.Buffer.AsMemory(0, line.Length));
                }
                catch (IOException)
                {
                    // stdout is gone (closed pipe): nothing useful can be done with the line.
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(line.Buffer);
                }
            }

            try
            {
                await stream.FlushAsync();
            }
            catch (IOException)
            {
            }

            // Under load, waking the writer for every line costs a thread-pool hop per RPC. Pausing briefly lets
            // lines accumulate so each wake-up writes a batch; a line waits at most this long to reach stdout.
            await Task.Delay(BatchInterval);
        }
    }

    /// <summary>The longest a log line waits before it is written.</summary>
    public static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(10);

    private readonly record struct LogLine(byte[] Buffer, int Length);
}
