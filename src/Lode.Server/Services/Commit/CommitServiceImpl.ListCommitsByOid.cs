using Gitaly;
using Grpc.Core;
using Lode.Git.CatFile;
using Lode.Server.Conversions;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// The commits the given ids (full or abbreviated, or anything that peels to a commit) name, in request order;
    /// ids that do not resolve to a commit are skipped. One pipelined cat-file pass, chunked by size.
    /// </summary>
    public override async Task ListCommitsByOid(ListCommitsByOidRequest request, IServerStreamWriter<ListCommitsByOidResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        var writer = new ChunkedWriter<ListCommitsByOidResponse, GitCommit>(responseStream,
            static () => new ListCommitsByOidResponse(), static (m, c) => m.Commits.Add(c));

        await using (var lease = await objects.GetAsync(repository, context))
        {
            var ids = ObjectPipeline.FromList(request.Oid);
            await foreach (var (_, commit) in CommitStream.ReadCommitsAsync(lease.Reader, ids,
                static (q, id) => q.RequestContents(id + "^{commit}"), cancellationToken))
            {
                if (commit is not null)
                {
                    await writer.AddAsync(commit, cancellationToken);
                }
            }
        }

        await writer.FlushAsync(cancellationToken);
    }
}
