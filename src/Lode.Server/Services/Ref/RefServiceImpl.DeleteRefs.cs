using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Errors;
using ObjectFormat = Lode.Git.Objects.ObjectFormat;
using GitRefTransaction = Lode.Git.Refs.RefTransaction;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>
    /// Force-deletes the listed refs, or every ref except those starting with one of the prefixes, in one git
    /// transaction (<c>--no-deref</c>: a symbolic ref is removed itself). All or nothing: names that are not valid
    /// revisions are INVALID_ARGUMENT with DeleteRefsError.invalid_format listing all of them; a locked ref is
    /// ABORTED with DeleteRefsError.references_locked.
    /// </summary>
    public override async Task<DeleteRefsResponse> DeleteRefs(DeleteRefsRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        if (request.ExceptWithPrefix.Count > 0 && request.Refs.Count > 0)
        {
            throw LodeException.InvalidArgument("ExceptWithPrefix and Refs are mutually exclusive");
        }

        if (request.ExceptWithPrefix.Count == 0 && request.Refs.Count == 0)
        {
            throw LodeException.InvalidArgument("empty ExceptWithPrefix and Refs");
        }

        foreach (var prefix in request.ExceptWithPrefix)
        {
            if (prefix.IsEmpty)
            {
                throw LodeException.InvalidArgument("empty prefix for exclusion");
            }
        }

        foreach (var reference in request.Refs)
        {
            if (reference.IsEmpty)
            {
                throw LodeException.InvalidArgument("empty ref");
            }
        }

        var cancellationToken = context.CancellationToken;
        var toDelete = new List<ReadOnlyMemory<byte>>();
        if (request.Refs.Count > 0)
        {
            foreach (var reference in request.Refs)
            {
                toDelete.Add(reference.Memory);
            }
        }
        else
        {
            var query = new RefListQuery { Format = "%(refname)" };
            await foreach (var name in RefLister.ListAsync(git, paths, query, cancellationToken))
            {
                if (!HasAnyPrefix(name, request.ExceptWithPrefix))
                {
                    toDelete.Add(name);
                }
            }
        }

        var invalid = new DeleteRefsError { InvalidFormat = new InvalidRefFormatError() };
        foreach (var name in toDelete)
        {
            if (RevisionValidator.Check(name.Span) is not null)
            {
                invalid.InvalidFormat.Refs.Add(ByteString.CopyFrom(name.Span));
            }
        }

        if (invalid.InvalidFormat.Refs.Count > 0)
        {
            throw new StructuredException(ErrorCode.InvalidArgument, "invalid references", invalid);
        }

        var format = await ObjectFormat.DetectAsync(git, paths, cancellationToken);
        await using var transaction = await GitRefTransaction.StartAsync(git, paths, format, hooks.ForRefTransaction(paths, request.Repository, format, context, noDeref: true),
            cancellationToken);
        try
        {
            foreach (var name in toDelete)
            {
                await transaction.DeleteAsync(name, null, cancellationToken);
            }
        }
        catch (RefTransactionException e)
        {
            throw LodeException.Wrap("unable to delete refs", e);
        }

        try
        {
            await transaction.PrepareAsync(cancellationToken);
        }
        catch (RefTransactionException e) when (e.Kind == RefTransactionErrorKind.ReferenceLocked)
        {
            throw new StructuredException(ErrorCode.Aborted, "cannot lock references", new DeleteRefsError
            {
                ReferencesLocked = new ReferencesLockedError { Refs = { ByteString.CopyFrom(e.ReferenceName) } },
            }).With("reference", e.ReferenceNameText).With("stderr", e.Stderr);
        }
        catch (RefTransactionException e)
        {
            throw LodeException.Wrap("unable to prepare", e);
        }

        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        catch (RefTransactionException e)
        {
            throw LodeException.Wrap("unable to commit", e);
        }

        return new DeleteRefsResponse();
    }

    private static bool HasAnyPrefix(ReadOnlySpan<byte> name, Google.Protobuf.Collections.RepeatedField<ByteString> prefixes)
    {
        foreach (var prefix in prefixes)
        {
            if (name.StartsWith(prefix.Span))
            {
                return true;
            }
        }

        return false;
    }
}
