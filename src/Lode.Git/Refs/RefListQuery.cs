namespace Lode.Git.Refs;

/// <summary>What <see cref="RefLister"/> asks <c>git for-each-ref</c> for.</summary>
public sealed class RefListQuery
{
    /// <summary>
    /// The <c>--format</c>; each ref gives one LF-terminated record whose first field (up to the first <c>%00</c>)
    /// must be <c>%(refname)</c>, because Lode filters on it when a pattern has to be applied in process.
    /// </summary>
    public required string Format { get; init; }

    /// <summary>for-each-ref patterns as raw bytes; none lists every ref.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Patterns { get; init; } = [];

    /// <summary>Further flags, each a constant or a value attached with '=' (<c>--sort=…</c>, <c>--points-at=…</c>).</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary><c>--count</c>: at most this many refs; 0 for all.</summary>
    public int Count { get; init; }
}
