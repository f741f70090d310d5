using Google.Protobuf;
using Grpc.Core;

namespace Lode.Server.Streaming;

/// <summary>
/// Spreads a list over response messages of just under 1 MiB each, as Gitaly's chunker does: an item that would
/// take the current message to 1 MiB or beyond starts the next one. Clients see the same message boundaries.
/// </summary>
public sealed class ChunkedWriter<TResponse, TItem>(
    IServerStreamWriter<TResponse> writer,
    Func<TResponse> newMessage,
    Action<TResponse, TItem> append)
    where TResponse : class
    where TItem : IMessage
{
    /// <summary>Gitaly's maximum size of one chunked message.</summary>
    public const int MaxMessageSize = 1024 * 1024;

    private TResponse? current;
    private int size;

    public async Task AddAsync(TItem item, CancellationToken cancellationToken)
    {
        var itemSize = item.CalculateSize();
        if (current is not null && size + itemSize >= MaxMessageSize)
        {
            await SendAsync(cancellationToken);
        }

        current ??= newMessage();
        append(current, item);
        size += itemSize;
    }

    /// <summary>Sends what is left; nothing when the list was empty.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (current is not null)
        {
            await SendAsync(cancellationToken);
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        var message = current!;
        current = null;
        size = 0;
        await writer.WriteAsync(message, cancellationToken);
    }
}
