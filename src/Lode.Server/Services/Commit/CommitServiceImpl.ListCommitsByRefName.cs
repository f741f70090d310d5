using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Git.CatFile;
using Lode.Server.Conversions;
using Lode.Server.Streaming;
using static Gitaly.ListCommitsByRefNameResponse.Types;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// The commit each reference (any revision, as bytes) peels to, in request order; names that do not resolve
    /// to a commit are skipped. One pipelined cat-file pass, chunked by size.
    /// </summary>
    public override async Task ListCommitsByRefName(ListCommitsByRefNameRequest request,
        IServerStreamWriter<ListCommitsByRefNameResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        var writer = new ChunkedWriter<ListCommitsByRefNameResponse, CommitForRef>(responseStream,
            static () => new ListCommitsByRefNameResponse(), static (m, c) => m.CommitRefs.Add(c));

        await using (var lease = await objects.GetAsync(repository, context))
        {
            var names = ObjectPipeline.FromList(request.RefNames);
            await foreach (var (name, commit) in CommitStream.ReadCommitsAsync(lease.Reader, names, RequestPeeledCommit, cancellationToken))
            {
                if (commit is not null)
                {
                    await writer.AddAsync(new CommitForRef { Commit = commit, RefName = name }, cancellationToken);
                }
            }
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Queues <c>revision^{commit}</c> for a revision given as raw bytes.</summary>
    private static void RequestPeeledCommit(ObjectQueue queue, ByteString revision)
    {
        var peeled = new byte[revision.Length + 9];
        revision.Span.CopyTo(peeled);
        "^{commit}"u8.CopyTo(peeled.AsSpan(revision.Length));
        queue.RequestContents(peeled);
    }
}
