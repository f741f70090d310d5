using System.Text;
using Lode.Core.Errors;

namespace Lode.Git.Refs;

/// <summary>
/// A <see cref="RefTransaction"/> failed; nothing was changed. The message is Gitaly's for the
/// <see cref="Kind"/> (e.g. "reference is already locked"). The code is INTERNAL: each RPC decides what a kind
/// means for its client (UpdateReferences answers a lock with ABORTED, DeleteRefs with its own message).
/// </summary>
public sealed class RefTransactionException : LodeException
{
    public RefTransactionException(RefTransactionErrorKind kind, string message, string stderr, Exception? innerException = null)
        : base(ErrorCode.Internal, message, innerException)
    {
        Kind = kind;
        Stderr = stderr;
        if (stderr.Length > 0)
        {
            With("stderr", stderr);
        }
    }

    public RefTransactionErrorKind Kind { get; }

    /// <summary>The ref the error is about, as sent in the transaction (raw bytes); empty when git named none.</summary>
    public byte[] ReferenceName { get; init; } = [];

    /// <summary>For <see cref="RefTransactionErrorKind.MismatchingState"/>: the value the caller expected.</summary>
    public string ExpectedObjectId { get; init; } = "";

    /// <summary>For <see cref="RefTransactionErrorKind.MismatchingState"/>: the value the ref has.</summary>
    public string ActualObjectId { get; init; } = "";

    /// <summary>For missing or non-commit objects: the object the ref was to point at.</summary>
    public string ObjectId { get; init; } = "";

    /// <summary>For file/directory conflicts: the ref that exists, or the first of the two updates.</summary>
    public byte[] ExistingReferenceName { get; init; } = [];

    /// <summary>For file/directory conflicts: the ref that could not be created, or the second update.</summary>
    public byte[] ConflictingReferenceName { get; init; } = [];

    public string Stderr { get; }

    /// <summary>Gitaly's error text for each kind.</summary>
    public static string MessageOf(RefTransactionErrorKind kind) => kind switch
    {
        RefTransactionErrorKind.ReferenceLocked => "reference is already locked",
        RefTransactionErrorKind.PackedRefsLocked => "packed-refs locked",
        RefTransactionErrorKind.InvalidFormat => "invalid reference format",
        RefTransactionErrorKind.FileDirectoryConflict => "file directory conflict",
        RefTransactionErrorKind.InTransactionConflict => "conflicting reference updates in the same transaction",
        RefTransactionErrorKind.NonExistentObject => "target object missing",
        RefTransactionErrorKind.NonCommitObject => "target object not a commit",
        RefTransactionErrorKind.MismatchingState => "reference does not point to expected object",
        RefTransactionErrorKind.ReferenceAlreadyExists => "reference already exists",
        RefTransactionErrorKind.MultipleUpdates => "reference has been updated multiple times within a transaction",
        _ => "reference transaction failed",
    };

    /// <summary>The reference name for logs (lossy for non-UTF-8 names).</summary>
    public string ReferenceNameText => Encoding.UTF8.GetString(ReferenceName);
}
