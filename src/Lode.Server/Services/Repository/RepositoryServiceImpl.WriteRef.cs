using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Refs;
using Lode.Server.Errors;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Points <c>ref</c> at <c>revision</c> (deleting it for the zero id), optionally only if it holds
    /// <c>old_revision</c> now (the zero id: only if it does not exist). For <c>HEAD</c>, <c>revision</c> is a
    /// reference name and HEAD becomes a symbolic reference to it. No hooks run, as in Gitaly.
    /// </summary>
    public override async Task<WriteRefResponse> WriteRef(WriteRefRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        if (RevisionValidator.Check(request.Ref.Span) is { } refProblem)
        {
            throw LodeException.InvalidArgument("invalid ref: " + refProblem);
        }

        if (RevisionValidator.Check(request.Revision.Span) is { } revisionProblem)
        {
            throw LodeException.InvalidArgument("invalid revision: " + revisionProblem);
        }

        if (!request.OldRevision.IsEmpty && RevisionValidator.Check(request.OldRevision.Span) is { } oldProblem)
        {
            throw LodeException.InvalidArgument("invalid OldRevision: " + oldProblem);
        }

        var isHead = request.Ref.Span.SequenceEqual("HEAD"u8);
        if (!isHead && !request.Ref.Span.StartsWith("refs/"u8))
        {
            throw LodeException.InvalidArgument("ref has to be a full reference");
        }

        if (isHead)
        {
            SetHead(paths, request.Revision.Span);
            return new WriteRefResponse();
        }

        await UpdateRefAsync(paths, request, context);
        return new WriteRefResponse();
    }

    /// <summary>
    /// Writes <c>HEAD</c> as Gitaly does: <c>ref: &lt;name&gt;</c> through <c>HEAD.lock</c>, without checking that
    /// the target exists. Writing the file (rather than running symbolic-ref) keeps non-UTF-8 names intact.
    /// </summary>
    private static void SetHead(RepositoryPaths paths, ReadOnlySpan<byte> target)
    {
        if (!target.StartsWith("refs/"u8) || !RefName.IsValid(target))
        {
            // Gitaly answers INTERNAL here; a malformed name is the caller's mistake, so it is INVALID_ARGUMENT.
            throw LodeException.InvalidArgument("setting default branch: " + GoQuoteBytes(target) + " is a malformed refname");
        }

        var head = Path.Combine(paths.FullPath, "HEAD");
        var lockPath = head + ".lock";
        FileStream file;
        try
        {
            file = new FileStream(lockPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (IOException) when (File.Exists(lockPath))
        {
            throw new LodeException(ErrorCode.Aborted, "reference is locked already").With("reference", "HEAD");
        }

        try
        {
            using (file)
            {
                file.Write("ref: "u8);
                file.Write(target);
                file.Write("\n"u8);
                file.Flush(flushToDisk: true);
            }

            File.Move(lockPath, head, overwrite: true);
            Fsync.Directory(paths.FullPath);
        }
        catch
        {
            File.Delete(lockPath);
            throw;
        }
    }

    private async Task UpdateRefAsync(RepositoryPaths paths, WriteRefRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var format = await Git.Objects.ObjectFormat.DetectAsync(git, paths, cancellationToken);
        string newOid;
        string? oldOid = null;
        await using (var lease = await objects.GetAsync(paths, context))
        {
            newOid = IsZeroOid(format, request.Revision)
                ? format.ZeroOid
                : await ResolveObjectAsync(lease.Reader, request.Revision, "resolving new revision", cancellationToken);
            if (!request.OldRevision.IsEmpty)
            {
                oldOid = IsZeroOid(format, request.OldRevision)
                    ? format.ZeroOid
                    : await ResolveObjectAsync(lease.Reader, request.OldRevision, "resolving old revision", cancellationToken);
            }
        }

        // The ref name travels as bytes on update-ref's stdin, so non-UTF-8 names are written exactly.
        try
        {
            await using var transaction = await Git.Refs.RefTransaction.StartAsync(git, paths, format,
                hooks.ForRefTransaction(paths, request.Repository, format, context), cancellationToken);
            await transaction.UpdateAsync(request.Ref.Memory, newOid, oldOid, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (RefTransactionException e) when (e.Kind is RefTransactionErrorKind.ReferenceLocked or RefTransactionErrorKind.PackedRefsLocked)
        {
            throw new LodeException(ErrorCode.Aborted, "reference is locked already")
                .With("reference", request.Ref.ToStringUtf8()).With("stderr", e.Stderr);
        }
        catch (RefTransactionException e) when (e.Kind is RefTransactionErrorKind.MismatchingState or RefTransactionErrorKind.ReferenceAlreadyExists)
        {
            // Gitaly answers INTERNAL; a reference that moved meanwhile is a failed precondition of the request.
            throw new LodeException(ErrorCode.FailedPrecondition, "error when running update-ref command: " + e.Message)
                .With("reference", request.Ref.ToStringUtf8()).With("stderr", e.Stderr);
        }
        catch (RefTransactionException e)
        {
            throw LodeException.Wrap("error when running update-ref command", e);
        }
    }

    /// <summary>Resolves <c>revision^{object}</c>; NOT_FOUND with a <c>ReferenceNotFoundError</c> when it does not exist.</summary>
    private static async Task<string> ResolveObjectAsync(Git.CatFile.ObjectReader reader, ByteString revision, string what,
        CancellationToken cancellationToken)
    {
        var peeled = new byte[revision.Length + "^{object}".Length];
        revision.Span.CopyTo(peeled);
        "^{object}"u8.CopyTo(peeled.AsSpan(revision.Length));
        var info = await reader.InfoAsync(peeled, cancellationToken);
        return info?.Oid ?? throw new StructuredException(ErrorCode.NotFound, what + ": reference not found",
            new ReferenceNotFoundError { ReferenceName = revision });
    }

    /// <summary>Whether the revision is the repository format's all-zero id (Gitaly compares it whole).</summary>
    private static bool IsZeroOid(Git.Objects.ObjectFormat format, ByteString revision) =>
        revision.Length == format.HexLength && !revision.Span.ContainsAnyExcept((byte)'0');

    private static string GoQuoteBytes(ReadOnlySpan<byte> value) => Core.Text.GoQuote.Quote(value);
}
