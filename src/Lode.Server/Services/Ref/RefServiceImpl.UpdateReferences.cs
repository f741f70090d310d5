using System.Text;
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
    /// Applies every update of the stream in one git transaction: all or nothing. Each update is validated as it
    /// arrives (name, old and new object id); the transaction is committed once the client closes its side. A
    /// locked ref or an old value that does not match is ABORTED with an UpdateReferencesError detail; a missing
    /// target object is NOT_FOUND; an invalid name is INVALID_ARGUMENT with the invalid_format detail.
    /// </summary>
    public override async Task<UpdateReferencesResponse> UpdateReferences(IAsyncStreamReader<UpdateReferencesRequest> requestStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken))
        {
            throw LodeException.Internal("receiving initial request: EOF");
        }

        var request = requestStream.Current;
        var paths = resolver.Resolve(request.Repository);
        var format = await ObjectFormat.DetectAsync(git, paths, cancellationToken);

        await using var transaction = await GitRefTransaction.StartAsync(git, paths, format,
            hooks.ForRefTransaction(paths, request.Repository, format, context), cancellationToken);
        var first = true;
        while (true)
        {
            // Only the first message may name the repository.
            if (!first && request.Repository is not null)
            {
                throw LodeException.InvalidArgument("repository set in subsequent request");
            }

            first = false;
            if (request.Updates.Count == 0)
            {
                throw LodeException.InvalidArgument("no updates specified");
            }

            foreach (var update in request.Updates)
            {
                await QueueUpdateAsync(transaction, format, update, cancellationToken);
            }

            if (!await requestStream.MoveNext(cancellationToken))
            {
                break;
            }

            request = requestStream.Current;
        }

        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        catch (RefTransactionException e)
        {
            throw e.Kind switch
            {
                RefTransactionErrorKind.ReferenceLocked => new StructuredException(ErrorCode.Aborted, e.Message, new UpdateReferencesError
                {
                    ReferencesLocked = new ReferencesLockedError { Refs = { ByteString.CopyFrom(e.ReferenceName) } },
                }).With("reference", e.ReferenceNameText),
                RefTransactionErrorKind.MismatchingState => new StructuredException(ErrorCode.Aborted, e.Message, new UpdateReferencesError
                {
                    ReferenceStateMismatch = new ReferenceStateMismatchError
                    {
                        ReferenceName = ByteString.CopyFrom(e.ReferenceName),
                        ExpectedObjectId = ByteString.CopyFromUtf8(e.ExpectedObjectId),
                        ActualObjectId = ByteString.CopyFromUtf8(e.ActualObjectId),
                    },
                }).With("reference", e.ReferenceNameText).With("expected_object_id", e.ExpectedObjectId).With("actual_object_id", e.ActualObjectId),
                RefTransactionErrorKind.NonExistentObject => new LodeException(ErrorCode.NotFound, e.Message)
                    .With("reference", e.ReferenceNameText).With("missing_object", e.ObjectId),
                _ => LodeException.Wrap("committing update", e),
            };
        }

        return new UpdateReferencesResponse();
    }

    private static async Task QueueUpdateAsync(GitRefTransaction transaction, ObjectFormat format, UpdateReferencesRequest.Types.Update update,
        CancellationToken cancellationToken)
    {
        var reference = update.Reference;
        if (ReferenceValidator.Check(reference.Span) is { } problem)
        {
            throw new StructuredException(ErrorCode.InvalidArgument, "validating reference: " + problem, new UpdateReferencesError
            {
                InvalidFormat = new InvalidRefFormatError { Refs = { reference } },
            }).With("reference", reference.ToStringUtf8());
        }

        // An empty old value skips the check (a forced update); the zero id requires the ref to be absent.
        var oldOid = update.OldObjectId;
        if (oldOid.Length > 0 && ObjectIdValidator.Check(format, oldOid.Span) is { } oldProblem)
        {
            throw LodeException.InvalidArgument("validating old object ID: " + oldProblem).With("old_object_id", oldOid.ToStringUtf8());
        }

        var newOid = update.NewObjectId;
        if (ObjectIdValidator.Check(format, newOid.Span) is { } newProblem)
        {
            throw LodeException.InvalidArgument("validating new object ID: " + newProblem).With("new_object_id", newOid.ToStringUtf8());
        }

        try
        {
            await transaction.UpdateAsync(reference.Memory, Encoding.ASCII.GetString(newOid.Span), Encoding.ASCII.GetString(oldOid.Span),
                cancellationToken);
        }
        catch (RefTransactionException e)
        {
            throw new LodeException(ErrorCode.InvalidArgument, "queueing update: " + e.Message);
        }
    }
}
