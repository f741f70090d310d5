namespace Lode.Server.Streaming;

/// <summary>
/// Gitaly's <c>lines.Send</c>, which every ref-listing RPC built on for-each-ref output goes through: records are
/// skipped up to and including the page token, then sent in messages of
/// <see cref="ItemsPerMessage"/>, at most <see cref="LinePagination.Limit"/> in all. Message boundaries and the
/// "is there a next page" flag are part of what clients observe, so they follow Gitaly exactly: a message is sent
/// when a 21st record arrives, the last message is sent after the input ends, and the flag is true only on the last
/// message, when one more record existed beyond the limit.
/// </summary>
public static class LineSender
{
    /// <summary>Gitaly's <c>lines.ItemsPerMessage</c>.</summary>
    public const int ItemsPerMessage = 20;

    /// <summary>
    /// Sends <paramref name="lines"/>. <paramref name="send"/> gets each batch and whether a next page exists. An
    /// empty record ends the list (as in Gitaly). Throws <see cref="PageTokenNotFoundException"/> when a page
    /// token was given but not found, including when the limit is zero.
    /// </summary>
    public static async Task SendAsync(IAsyncEnumerable<byte[]> lines, LinePagination pagination,
        Func<IReadOnlyList<byte[]>, bool, Task> send, CancellationToken cancellationToken)
    {
        if (pagination.Limit < 1)
        {
            // Gitaly returns before reading anything, so a page token cannot be found either.
            if (pagination.PageToken is not null)
            {
                throw new PageTokenNotFoundException();
            }

            return;
        }

        var pastPageToken = pagination.PageToken is null;
        var processed = 0;
        var hasNextPage = false;
        var batch = new List<byte[]>(ItemsPerMessage);
        await foreach (var line in lines.WithCancellation(cancellationToken))
        {
            if (line.Length == 0)
            {
                break;
            }

            if (!pastPageToken)
            {
                pastPageToken = pagination.IsPageToken(line);
                continue;
            }

            if (processed == pagination.Limit)
            {
                hasNextPage = true;
                break;
            }

            processed++;
            if (batch.Count >= ItemsPerMessage)
            {
                await send(batch, false);
                batch = new List<byte[]>(ItemsPerMessage);
            }

            batch.Add(line);
        }

        if (!pastPageToken)
        {
            throw new PageTokenNotFoundException();
        }

        if (batch.Count > 0)
        {
            await send(batch, hasNextPage);
        }
    }
}
