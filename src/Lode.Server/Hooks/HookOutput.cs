using Google.Protobuf;
using Grpc.Core;

namespace Lode.Server.Hooks;

/// <summary>
/// Where a hook's stdout and stderr go: the response stream of a HookService call (with a lock, since custom hooks
/// write both at once), or buffers when the server runs hooks itself (OperationService).
/// </summary>
public sealed class HookOutput(Func<ReadOnlyMemory<byte>, ValueTask> stdout, Func<ReadOnlyMemory<byte>, ValueTask> stderr)
{
    /// <summary>Gitaly's stream writers send at most this much per message.</summary>
    public const int ChunkBytes = 128 * 1024;

    public Func<ReadOnlyMemory<byte>, ValueTask> Stdout { get; } = stdout;

    public Func<ReadOnlyMemory<byte>, ValueTask> Stderr { get; } = stderr;

    /// <summary>Relays both streams as response messages, one write at a time, each chunk copied before the next read.</summary>
    public static HookOutput ForStream<T>(IServerStreamWriter<T> stream, Func<ByteString, T> stdoutMessage, Func<ByteString, T> stderrMessage,
        SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        async ValueTask SendAsync(ReadOnlyMemory<byte> data, Func<ByteString, T> make)
        {
            for (var offset = 0; offset < data.Length; offset += ChunkBytes)
            {
                var chunk = data.Slice(offset, Math.Min(ChunkBytes, data.Length - offset));
                await gate.WaitAsync(cancellationToken);
                try
                {
                    await stream.WriteAsync(make(ByteString.CopyFrom(chunk.Span)), cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }
        }

        return new HookOutput(data => SendAsync(data, stdoutMessage), data => SendAsync(data, stderrMessage));
    }

    /// <summary>Collects both streams in memory (bounded by what the hooks print).</summary>
    public static HookOutput Buffered(MemoryStream stdout, MemoryStream stderr)
    {
        var gate = new Lock();
        ValueTask Append(MemoryStream target, ReadOnlyMemory<byte> data)
        {
            lock (gate)
            {
                target.Write(data.Span);
            }

            return ValueTask.CompletedTask;
        }

        return new HookOutput(data => Append(stdout, data), data => Append(stderr, data));
    }
}
