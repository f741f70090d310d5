using Google.Protobuf;
using Grpc.Core;
using Prometheus;

namespace Lode.Server.Interceptors;

/// <summary>Counts received messages and remembers the first one (the header of a client stream) for the access log.</summary>
internal sealed class ObservedStreamReader<T>(IAsyncStreamReader<T> inner, CallState state, Counter.Child received)
    : IAsyncStreamReader<T>
    where T : class
{
    public T Current => inner.Current;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (!await inner.MoveNext(cancellationToken))
        {
            return false;
        }

        received.Inc();
        state.Request ??= inner.Current as IMessage;
        return true;
    }
}
