namespace Lode.Git.Objects;

/// <summary>What a tree entry is, from its mode's file-type bits.</summary>
public enum TreeEntryKind
{
    /// <summary>A mode git does not know; the entry is kept so nothing silently disappears.</summary>
    Unknown = 0,

    /// <summary>100644 (and other non-executable regular-file modes found in old trees).</summary>
    Blob,

    /// <summary>100755.</summary>
    Executable,

    /// <summary>120000; the blob holds the link target.</summary>
    Symlink,

    /// <summary>40000.</summary>
    Tree,

    /// <summary>160000, a gitlink: the id is a commit in another repository.</summary>
    Submodule,
}
