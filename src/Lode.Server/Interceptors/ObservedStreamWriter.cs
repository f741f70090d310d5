using Grpc.Core;
using Prometheus;

namespace Lode.Server.Interceptors;

/// <summary>Counts sent messages for <c>grpc_server_msg_sent_total</c>.</summary>
internal sealed class ObservedStreamWriter<T>(IServerStreamWriter<T> inner, Counter.Child sent) : IServerStreamWriter<T>
    where T : class
{
    public WriteOptions? WriteOptions
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    public async Task WriteAsync(T message)
    {
        await inner.WriteAsync(message);
        sent.Inc();
    }

    public async Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        await inner.WriteAsync(message, cancellationToken);
        sent.Inc();
    }
}
