using System.Buffers;
using Lode.Git.Commands;

namespace Lode.Server.GitTransport;

/// <summary>
/// Copies a client's input to a git child's stdin, one read at a time (no queue: a slow child slows the client
/// down), letting observers see each chunk first. stdin is closed at the end, whatever the reason.
/// </summary>
internal static class StdinPump
{
    private const int BufferSize = 64 * 1024;

    public static async Task<(StdinOutcome Outcome, Exception? Error)> RunAsync(Stream input, GitProcess process,
        Action<ReadOnlySpan<byte>>? observe, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await input.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return (StdinOutcome.Stopped, null);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or Grpc.Core.RpcException or InvalidDataException)
                {
                    return (StdinOutcome.Failed, e);
                }

                if (read == 0)
                {
                    return (StdinOutcome.Ended, null);
                }

                observe?.Invoke(buffer.AsSpan(0, read));
                try
                {
                    await process.Stdin.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    await process.Stdin.FlushAsync(cancellationToken);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
                {
                    // git exited or closed its stdin: what it did not read it does not need.
                    return (StdinOutcome.Stopped, null);
                }
            }
        }
        finally
        {
            process.CloseStdin();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
