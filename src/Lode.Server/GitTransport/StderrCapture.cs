namespace Lode.Server.GitTransport;

/// <summary>
/// Tells whether a child's whole stderr was exactly one known message (git's hang-up line, which Gitaly turns into
/// CANCELED), keeping only as many bytes as that message has.
/// </summary>
internal sealed class StderrCapture(int limit)
{
    private readonly byte[] head = new byte[limit];
    private readonly Lock gate = new();
    private long total;

    public void Add(ReadOnlySpan<byte> chunk)
    {
        lock (gate)
        {
            if (total < head.Length)
            {
                var take = (int)Math.Min(head.Length - total, chunk.Length);
                chunk[..take].CopyTo(head.AsSpan((int)total));
            }

            total += chunk.Length;
        }
    }

    public bool IsExactly(ReadOnlySpan<byte> message)
    {
        lock (gate)
        {
            return total == message.Length && head.AsSpan(0, message.Length).SequenceEqual(message);
        }
    }
}
