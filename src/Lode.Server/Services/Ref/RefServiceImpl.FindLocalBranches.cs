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
    /// Branches under refs/heads with their target commits, sorted by name or committer date, 20 per message,
    /// paginated by ref name (Gitaly's line sender).
    /// </summary>
    public override async Task FindLocalBranches(FindLocalBranchesRequest request, IServerStreamWriter<FindLocalBranchesResponse> responseStream,
        ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var cancellationToken = context.CancellationToken;
        var sort = request.SortBy switch
        {
            FindLocalBranchesRequest.Types.SortBy.UpdatedAsc => "committerdate",
            FindLocalBranchesRequest.Types.SortBy.UpdatedDesc => "-committerdate",
            _ => "refname",
        };

        await using var lease = await objects.GetAsync(paths, context);
        var query = new RefListQuery
        {
            Format = BranchLookup.Format,
            Flags = ["--sort=" + sort],
            Patterns = ["refs/heads"u8.ToArray()],
        };

        try
        {
            await LineSender.SendAsync(RefLister.ListAsync(git, paths, query, cancellationToken), LinePagination.FromProto(request.PaginationParams),
                async (lines, _) =>
                {
                    var response = new FindLocalBranchesResponse();
                    foreach (var (name, commit) in await BranchLookup.ResolveAsync(lease.Reader, lines, cancellationToken))
                    {
                        response.LocalBranches.Add(new Branch { Name = ByteString.CopyFrom(name), TargetCommit = commit });
                    }

                    await responseStream.WriteAsync(response, cancellationToken);
                }, cancellationToken);
        }
        catch (PageTokenNotFoundException e)
        {
            throw LodeException.Wrap("invalid page token: sending lines", e);
        }
        catch (LodeException e) when (e.Code == ErrorCode.Internal)
        {
            throw LodeException.Wrap("finding refs", e);
        }
    }
}
