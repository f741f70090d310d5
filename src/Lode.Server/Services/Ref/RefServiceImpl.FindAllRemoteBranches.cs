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
    /// <summary>The branches under refs/remotes/&lt;remote_name&gt; with their target commits, 20 per message.</summary>
    public override async Task FindAllRemoteBranches(FindAllRemoteBranchesRequest request,
        IServerStreamWriter<FindAllRemoteBranchesResponse> responseStream, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        if (request.RemoteName.Length == 0)
        {
            throw LodeException.InvalidArgument("empty RemoteName");
        }

        var cancellationToken = context.CancellationToken;
        await using var lease = await objects.GetAsync(paths, context);
        var query = new RefListQuery
        {
            Format = BranchLookup.Format,
            Patterns = [System.Text.Encoding.UTF8.GetBytes("refs/remotes/" + request.RemoteName)],
        };

        try
        {
            await LineSender.SendAsync(RefLister.ListAsync(git, paths, query, cancellationToken), LinePagination.Unlimited,
                async (lines, _) =>
                {
                    var response = new FindAllRemoteBranchesResponse();
                    foreach (var (name, commit) in await BranchLookup.ResolveAsync(lease.Reader, lines, cancellationToken))
                    {
                        response.Branches.Add(new Branch { Name = ByteString.CopyFrom(name), TargetCommit = commit });
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
