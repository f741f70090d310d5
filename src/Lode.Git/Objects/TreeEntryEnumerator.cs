namespace Lode.Git.Objects;

/// <summary>
/// Enumerates a tree's entries without allocating: <c>mode SP name NUL rawid</c>, repeated. A malformed or
/// truncated entry ends the walk and sets <see cref="IsMalformed"/>.
/// </summary>
public ref struct TreeEntryEnumerator
{
    private readonly int rawLength;
    private ReadOnlySpan<byte> rest;

    public TreeEntryEnumerator(ReadOnlySpan<byte> tree, ObjectFormat format)
    {
        rest = tree;
        rawLength = format.RawLength;
    }

    public RawTreeEntry Current { get; private set; }

    /// <summary>True when the walk stopped at bytes that are not a valid entry.</summary>
    public bool IsMalformed { get; private set; }

    public readonly TreeEntryEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (rest.IsEmpty)
        {
            return false;
        }

        var space = rest.IndexOf((byte)' ');
        var nul = space < 0 ? -1 : rest[(space + 1)..].IndexOf((byte)0);
        if (space <= 0 || space > 7 || nul <= 0)
        {
            return Fail();
        }

        var nameEnd = space + 1 + nul;
        if (rest.Length - (nameEnd + 1) < rawLength)
        {
            return Fail();
        }

        var modeBytes = rest[..space];
        var mode = 0;
        foreach (var digit in modeBytes)
        {
            if (digit is < (byte)'0' or > (byte)'7')
            {
                return Fail();
            }

            mode = (mode << 3) | (digit - '0');
        }

        Current = new RawTreeEntry(mode, modeBytes, rest[(space + 1)..nameEnd], rest.Slice(nameEnd + 1, rawLength));
        rest = rest[(nameEnd + 1 + rawLength)..];
        return true;
    }

    private bool Fail()
    {
        IsMalformed = true;
        rest = default;
        return false;
    }
}
