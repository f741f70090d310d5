using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Refs;
using Lode.Git.Repositories;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>Creates an empty bare repository atomically; ALREADY_EXISTS when something is at the path.</summary>
    public override async Task<CreateRepositoryResponse> CreateRepository(CreateRepositoryRequest request, ServerCallContext context)
    {
        var target = resolver.Resolve(request.Repository, mustExist: false);
        var objectFormat = ObjectFormatName(request.ObjectFormat);

        string? defaultBranch = null;
        if (!request.DefaultBranch.IsEmpty)
        {
            if (!RefName.IsValid(request.DefaultBranch.Span))
            {
                throw LodeException.InvalidArgument("creating repository: invalid default branch name")
                    .With("default_branch", request.DefaultBranch.ToStringUtf8());
            }

            defaultBranch = request.DefaultBranch.ToStringUtf8();
        }

        try
        {
            await RepositoryCreator.CreateAsync(git, target, defaultBranch, objectFormat, seed: null, context.CancellationToken);
        }
        catch (LodeException e)
        {
            throw LodeException.Wrap("creating repository", e);
        }

        return new CreateRepositoryResponse();
    }

    /// <summary>The <c>--object-format</c> value for a requested format; null keeps git's default (SHA-1).</summary>
    internal static string? ObjectFormatName(Gitaly.ObjectFormat format) => format switch
    {
        Gitaly.ObjectFormat.Unspecified => null,
        Gitaly.ObjectFormat.Sha1 => "sha1",
        Gitaly.ObjectFormat.Sha256 => "sha256",
        _ => throw LodeException.InvalidArgument("unknown object format").With("object_format", format.ToString()),
    };
}
