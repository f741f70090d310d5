using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Refs;
using Lode.Server.Conversions;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>
    /// Local and remote-tracking branches with their target commits, 20 per message. With merged_only, only those
    /// merged into the default branch (<c>--merged</c>), and with merged_branches only those names.
    /// </summary>
    public override async Task FindAllBranches(FindAllBranchesRequest request, IServerStreamWriter<FindAllBranchesResponse> responseStream,
        ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var cancellationToken = context.CancellationToken;
        var flags = new List<string>();
        IReadOnlyList<ReadOnlyMemory<byte>> patterns = ["refs/heads"u8.ToArray(), "refs/remotes"u8.ToArray()];
        if (request.MergedOnly)
        {
            byte[] defaultBranch;
            try
            {
                await using var defaultLease = await objects.GetAsync(paths, context);
                defaultBranch = await DefaultBranch.ResolveAsync(git, paths, defaultLease.Reader, cancellationToken);
            }
            catch (LodeException e)
            {
                throw LodeException.Wrap("default branch name", e);
            }

            flags.Add("--merged=" + System.Text.Encoding.UTF8.GetString(defaultBranch));
            if (request.MergedBranches.Count > 0)
            {
                var merged = new ReadOnlyMemory<byte>[request.MergedBranches.Count];
                for (var i = 0; i < merged.Length; i++)
                {
                    merged[i] = request.MergedBranches[i].Memory;
                }

                patterns = merged;
            }
        }

        await using var lease = await objects.GetAsync(paths, context);
        var query = new RefListQuery { Format = BranchLookup.Format, Flags = flags, Patterns = patterns };
        try
        {
            await LineSender.SendAsync(RefLister.ListAsync(git, paths, query, cancellationToken), LinePagination.Unlimited,
                async (lines, _) =>
                {
                    var response = new FindAllBranchesResponse();
                    foreach (var (name, commit) in await BranchLookup.ResolveAsync(lease.Reader, lines, cancellationToken))
                    {
                        response.Branches.Add(new FindAllBranchesResponse.Types.Branch { Name = ByteString.CopyFrom(name), Target = commit });
                    }

                    await responseStream.WriteAsync(response, cancellationToken);
                }, cancellationToken);
        }
        catch (LodeException e) when (e.Code == ErrorCode.Internal)
        {
            throw LodeException.Wrap("finding refs", e);
        }
    }
}
