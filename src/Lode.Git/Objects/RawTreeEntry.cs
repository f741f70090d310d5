namespace Lode.Git.Objects;

/// <summary>A tree entry as spans into the tree's bytes, for walks that look at many entries and keep few.</summary>
public readonly ref struct RawTreeEntry
{
    public RawTreeEntry(int mode, ReadOnlySpan<byte> modeBytes, ReadOnlySpan<byte> name, ReadOnlySpan<byte> rawObjectId)
    {
        Mode = mode;
        ModeBytes = modeBytes;
        Name = name;
        RawObjectId = rawObjectId;
    }

    public int Mode { get; }

    public ReadOnlySpan<byte> ModeBytes { get; }

    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The binary object id (20 or 32 bytes).</summary>
    public ReadOnlySpan<byte> RawObjectId { get; }

    public TreeEntryKind Kind => TreeParser.KindOf(Mode);

    public string ObjectIdHex => Convert.ToHexStringLower(RawObjectId);
}
