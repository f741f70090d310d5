using Grpc.Core;

namespace Lode.Server.Streaming;

/// <summary>
/// A client stream with its first message put back in front, for RPCs whose first message both carries the header
/// (validated first) and the start of the data: <c>new RequestStream&lt;T&gt;(new PrependedStreamReader&lt;T&gt;(first, reader), r =&gt; r.Data)</c>.
/// </summary>
public sealed class PrependedStreamReader<T>(T first, IAsyncStreamReader<T> rest) : IAsyncStreamReader<T>
    where T : class
{
    private bool firstTaken;

    public T Current { get; private set; } = null!;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (!firstTaken)
        {
            firstTaken = true;
            Current = first;
            return true;
        }

        if (!await rest.MoveNext(cancellationToken))
        {
            return false;
        }

        Current = rest.Current;
        return true;
    }
}
