namespace Lode.Git.Objects;

/// <summary>One entry of a tree object.</summary>
/// <param name="Mode">The mode as a number (the octal digits git wrote, e.g. 0100644).</param>
/// <param name="ModeBytes">The mode exactly as stored, e.g. <c>40000</c> (git writes trees without the leading 0).</param>
/// <param name="Name">The file name as raw bytes (git does not require UTF-8).</param>
/// <param name="ObjectId">The entry's object id in lower-case hex.</param>
/// <param name="Kind">Blob, executable, symlink, tree or submodule.</param>
public sealed record TreeEntry(int Mode, ReadOnlyMemory<byte> ModeBytes, byte[] Name, string ObjectId, TreeEntryKind Kind)
{
    /// <summary>The type of the object the entry points to: <c>tree</c>, <c>commit</c> (submodule) or <c>blob</c>.</summary>
    public string ObjectType => Kind switch
    {
        TreeEntryKind.Tree => ObjectTypes.Tree,
        TreeEntryKind.Submodule => ObjectTypes.Commit,
        _ => ObjectTypes.Blob,
    };
}
