using Gitaly;
using Grpc.Core;
using Lode.Git.Commands;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    public override async Task<HasLocalBranchesResponse> HasLocalBranches(HasLocalBranchesRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var output = await git.Create(paths, GitSubcommand.ForEachRef)
            .Flags("--count=1", "--format=%(refname)")
            .EndOfOptions()
            .Arg("refs/heads/")
            .RunAsync(context.CancellationToken);
        return new HasLocalBranchesResponse { Value = output.Length > 0 };
    }
}
