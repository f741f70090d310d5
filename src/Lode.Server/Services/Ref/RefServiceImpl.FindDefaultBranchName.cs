using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Refs;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>
    /// The default branch as Gitaly (v16+) decides it: HEAD's target if it exists, else main, else master, else the
    /// first branch, else empty. With head_only, HEAD's target whether it exists or not. A detached HEAD is INTERNAL,
    /// as in Gitaly (git symbolic-ref fails).
    /// </summary>
    public override async Task<FindDefaultBranchNameResponse> FindDefaultBranchName(FindDefaultBranchNameRequest request,
        ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var cancellationToken = context.CancellationToken;
        if (request.HeadOnly)
        {
            try
            {
                var head = await DefaultBranch.HeadReferenceAsync(git, paths, cancellationToken);
                return new FindDefaultBranchNameResponse { Name = ByteString.CopyFrom(head) };
            }
            catch (LodeException e)
            {
                throw LodeException.Wrap("head reference", e);
            }
        }

        try
        {
            await using var lease = await objects.GetAsync(paths, context);
            var name = await DefaultBranch.ResolveAsync(git, paths, lease.Reader, cancellationToken);
            return new FindDefaultBranchNameResponse { Name = ByteString.CopyFrom(name) };
        }
        catch (LodeException e)
        {
            throw LodeException.Wrap("get default branch", e);
        }
    }
}
