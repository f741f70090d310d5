using Google.Protobuf;
using Grpc.Core;

namespace Lode.Server.Streaming;

/// <summary>
/// The byte field of a client stream's messages read as one <see cref="Stream"/> (e.g. <c>data</c> or <c>stdin</c> of
/// the messages after the first), for feeding a git child. One message is held at a time, so memory stays bounded
/// and a slow child slows the client down through gRPC flow control.
/// </summary>
public sealed class RequestStream<T>(IAsyncStreamReader<T> reader, Func<T, ByteString> data) : Stream
    where T : class
{
    private ReadOnlyMemory<byte> current;
    private bool ended;

    public override bool CanRead => true;

    public override bool CanWrite => false;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (current.IsEmpty)
        {
            if (ended || !await reader.MoveNext(cancellationToken))
            {
                ended = true;
                return 0;
            }

            current = data(reader.Current).Memory;
        }

        var n = Math.Min(current.Length, buffer.Length);
        current[..n].CopyTo(buffer);
        current = current[n..];
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous reads are not supported");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
