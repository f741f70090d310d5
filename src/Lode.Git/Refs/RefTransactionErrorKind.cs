namespace Lode.Git.Refs;

/// <summary>Why a <see cref="RefTransaction"/> failed, read from git's stderr with Gitaly's patterns.</summary>
public enum RefTransactionErrorKind
{
    /// <summary>git failed for a reason none of the patterns recognise (see the stderr metadata).</summary>
    Other,

    /// <summary>A ref's <c>.lock</c> file exists: another process holds it (Gitaly's <c>AlreadyLockedError</c>).</summary>
    ReferenceLocked,

    /// <summary><c>packed-refs.lock</c> or <c>packed-refs.new</c> exists.</summary>
    PackedRefsLocked,

    /// <summary>git refused a ref name (<c>invalid ref format</c>).</summary>
    InvalidFormat,

    /// <summary>The ref would be a file where a directory of refs exists, or the other way round.</summary>
    FileDirectoryConflict,

    /// <summary>Two updates of the same transaction conflict as file and directory (<c>a</c> and <c>a/b</c>).</summary>
    InTransactionConflict,

    /// <summary>The new value names an object the repository does not have.</summary>
    NonExistentObject,

    /// <summary>A branch (<c>refs/heads/</c>) would point at something that is not a commit.</summary>
    NonCommitObject,

    /// <summary>The ref does not hold the expected old value.</summary>
    MismatchingState,

    /// <summary>The ref was to be created (zero old value) but exists.</summary>
    ReferenceAlreadyExists,

    /// <summary>The same ref is updated twice in one transaction.</summary>
    MultipleUpdates,
}
