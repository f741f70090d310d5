using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// <c>git merge-base --is-ancestor</c>: exit 0 means yes, and any other outcome (not an ancestor, a revision that
    /// does not resolve) is answered as false, as Gitaly does.
    /// </summary>
    public override async Task<CommitIsAncestorResponse> CommitIsAncestor(CommitIsAncestorRequest request, ServerCallContext context)
    {
        var repository = resolver.Resolve(request.Repository);
        if (request.AncestorId.Length == 0)
        {
            throw LodeException.InvalidArgument("empty ancestor sha");
        }

        if (request.ChildId.Length == 0)
        {
            throw LodeException.InvalidArgument("empty child sha");
        }

        // No --end-of-options, as in Gitaly: an id starting with '-' is refused rather than passed to git.
        var (exitCode, _, _) = await git.Create(repository, GitSubcommand.MergeBase)
            .Flag("--is-ancestor")
            .Arg(request.AncestorId)
            .Arg(request.ChildId)
            .RunUncheckedAsync(context.CancellationToken);
        return new CommitIsAncestorResponse { Value = exitCode == 0 };
    }
}
