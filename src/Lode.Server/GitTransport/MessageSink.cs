using Google.Protobuf;
using Grpc.Core;

namespace Lode.Server.GitTransport;

/// <summary>
/// Turns git output into response messages on a gRPC stream, at most 128 KiB each. stdout and stderr sinks of one
/// call share the lock, since a gRPC stream takes one write at a time (Gitaly's sync writers).
/// </summary>
internal sealed class MessageSink<TResponse>(IServerStreamWriter<TResponse> writer) : IDisposable
    where TResponse : class
{
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>A sink sending each chunk as <c>toMessage(bytes)</c>.</summary>
    public ByteSink For(Func<ByteString, TResponse> toMessage) => async (data, cancellationToken) =>
    {
        for (var offset = 0; offset < data.Length; offset += TransportRunner.MessageChunkSize)
        {
            var chunk = data.Slice(offset, Math.Min(TransportRunner.MessageChunkSize, data.Length - offset));
            await SendAsync(toMessage(ByteString.CopyFrom(chunk.Span)), cancellationToken);
        }
    };

    /// <summary>Sends one message under the lock (e.g. the final exit status).</summary>
    public async Task SendAsync(TResponse message, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await writer.WriteAsync(message, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
