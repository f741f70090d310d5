using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Refs;
using Lode.Server.Streaming;
using static Gitaly.CheckObjectsExistResponse.Types;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// Says for each revision whether it names an object. Rails calls it during pushes with the quarantine
    /// directories set, so objects that are only in the quarantine count as existing. Results are chunked and
    /// the last chunk is sent when the client closes its side, as Gitaly does.
    /// </summary>
    public override async Task CheckObjectsExist(IAsyncStreamReader<CheckObjectsExistRequest> requestStream,
        IServerStreamWriter<CheckObjectsExistResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;

        // No request at all is not an error: Praefect answers that case with an empty stream too.
        if (!await requestStream.MoveNext(cancellationToken))
        {
            return;
        }

        var request = requestStream.Current;
        var paths = resolver.Resolve(request.Repository);
        await using var lease = await objects.GetAsync(paths, context);
        var writer = new ChunkedWriter<CheckObjectsExistResponse, RevisionExistence>(
            responseStream, static () => new CheckObjectsExistResponse(), static (m, r) => m.Revisions.Add(r));

        while (true)
        {
            foreach (var revision in request.Revisions)
            {
                if (RevisionValidator.Check(revision.Span) is { } problem)
                {
                    throw LodeException.InvalidArgument("invalid revision: " + problem).With("revision", revision.ToStringUtf8());
                }
            }

            // One round trip per message, not per revision: queue every lookup, then read the answers in order.
            using (var queue = lease.Reader.CreateQueue())
            {
                foreach (var revision in request.Revisions)
                {
                    queue.RequestInfo(revision.Span);
                }

                queue.Flush();
                foreach (var revision in request.Revisions)
                {
                    var info = await queue.ReadInfoAsync(cancellationToken);
                    await writer.AddAsync(new RevisionExistence { Name = revision, Exists = info is not null }, cancellationToken);
                }
            }

            if (!await requestStream.MoveNext(cancellationToken))
            {
                break;
            }

            request = requestStream.Current;
        }

        await writer.FlushAsync(cancellationToken);
    }
}
