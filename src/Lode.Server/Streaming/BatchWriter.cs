using Grpc.Core;

namespace Lode.Server.Streaming;

/// <summary>
/// Sends a list in messages of a fixed number of items (Gitaly's line sender: 20 per message), used by the ref
/// listing RPCs. Clients page through these, so the batch size is part of the observable behaviour.
/// </summary>
public sealed class BatchWriter<TResponse, TItem>(
    IServerStreamWriter<TResponse> writer,
    Func<IReadOnlyList<TItem>, TResponse> toMessage,
    int itemsPerMessage = BatchWriter<TResponse, TItem>.DefaultItemsPerMessage)
    where TResponse : class
{
    public const int DefaultItemsPerMessage = 20;

    private readonly List<TItem> pending = new(itemsPerMessage);

    public async Task AddAsync(TItem item, CancellationToken cancellationToken)
    {
        pending.Add(item);
        if (pending.Count >= itemsPerMessage)
        {
            await SendAsync(cancellationToken);
        }
    }

    /// <summary>Sends what is left; nothing when the list was empty.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (pending.Count > 0)
        {
            await SendAsync(cancellationToken);
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        var message = toMessage(pending.ToArray());
        pending.Clear();
        await writer.WriteAsync(message, cancellationToken);
    }
}
