using System.Buffers;

namespace Lode.Git.Objects;

/// <summary>Parses raw tree objects. Object ids are binary in trees, so the repository's format is needed.</summary>
public static class TreeParser
{
    // Shared instances for the modes git writes, so parsing a tree does not allocate one per entry.
    private static readonly byte[] RegularMode = "100644"u8.ToArray();
    private static readonly byte[] ExecutableMode = "100755"u8.ToArray();
    private static readonly byte[] TreeMode = "40000"u8.ToArray();
    private static readonly byte[] SymlinkMode = "120000"u8.ToArray();
    private static readonly byte[] SubmoduleMode = "160000"u8.ToArray();

    /// <summary>Enumerates entries as spans; see <see cref="TreeEntryEnumerator"/>.</summary>
    public static TreeEntryEnumerator Enumerate(ReadOnlySpan<byte> tree, ObjectFormat format) => new(tree, format);

    /// <summary>All entries, in tree order. Stops at the first malformed entry (see <see cref="TryParse"/>).</summary>
    public static List<TreeEntry> Parse(ReadOnlySpan<byte> tree, ObjectFormat format)
    {
        TryParse(tree, format, out var entries);
        return entries;
    }

    public static List<TreeEntry> Parse(ReadOnlySequence<byte> tree, ObjectFormat format) =>
        tree.IsSingleSegment ? Parse(tree.FirstSpan, format) : Parse(tree.ToArray(), format);

    /// <summary>Parses all entries; false when the tree is malformed, with the entries before the bad one.</summary>
    public static bool TryParse(ReadOnlySpan<byte> tree, ObjectFormat format, out List<TreeEntry> entries)
    {
        entries = [];
        var enumerator = Enumerate(tree, format);
        while (enumerator.MoveNext())
        {
            var raw = enumerator.Current;
            entries.Add(new TreeEntry(raw.Mode, ModeBytes(raw.ModeBytes), raw.Name.ToArray(), raw.ObjectIdHex, raw.Kind));
        }

        return !enumerator.IsMalformed;
    }

    /// <summary>The kind of entry a mode denotes, from its file-type bits as git's <c>canon_mode</c>.</summary>
    public static TreeEntryKind KindOf(int mode) => (mode & 0xF000) switch
    {
        0x4000 => TreeEntryKind.Tree,
        0x8000 => (mode & 0x40) != 0 ? TreeEntryKind.Executable : TreeEntryKind.Blob,
        0xA000 => TreeEntryKind.Symlink,
        0xE000 => TreeEntryKind.Submodule,
        _ => TreeEntryKind.Unknown,
    };

    private static byte[] ModeBytes(ReadOnlySpan<byte> mode)
    {
        if (mode.SequenceEqual(RegularMode))
        {
            return RegularMode;
        }

        if (mode.SequenceEqual(TreeMode))
        {
            return TreeMode;
        }

        if (mode.SequenceEqual(ExecutableMode))
        {
            return ExecutableMode;
        }

        if (mode.SequenceEqual(SymlinkMode))
        {
            return SymlinkMode;
        }

        return mode.SequenceEqual(SubmoduleMode) ? SubmoduleMode : mode.ToArray();
    }
}
