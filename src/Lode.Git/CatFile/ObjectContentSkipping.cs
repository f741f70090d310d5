namespace Lode.Git.CatFile;

/// <summary>What to do with the unread rest of an object stream before the reader's next request.</summary>
public static class ObjectContentSkipping
{
    /// <summary>
    /// The most a caller done with an object should read just to throw it away: beyond this, leaving the rest unread
    /// (the reader turns dirty and its process is replaced) is cheaper than copying it through the pipe.
    /// </summary>
    public const long CheapSkipBytes = 1024 * 1024;

    /// <summary>Content bytes not read yet.</summary>
    public static long RemainingBytes(this ObjectContentStream stream) => stream.Remaining;

    /// <summary>Reads and discards the rest of the content, so that the reader can serve the next request.</summary>
    public static Task SkipRestAsync(this ObjectContentStream stream, CancellationToken cancellationToken) =>
        stream.Remaining == 0 ? Task.CompletedTask : stream.CopyToAsync(Stream.Null, cancellationToken);

    /// <summary>
    /// Discards the rest when it is at most <see cref="CheapSkipBytes"/>; a larger rest is left, so disposing the stream
    /// makes the reader dirty. For callers that make no further request on the reader.
    /// </summary>
    public static Task SkipRestIfCheapAsync(this ObjectContentStream stream, CancellationToken cancellationToken) =>
        stream.Remaining is > 0 and <= CheapSkipBytes ? stream.CopyToAsync(Stream.Null, cancellationToken) : Task.CompletedTask;
}
