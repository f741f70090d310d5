using Gitaly;
using Grpc.Core;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    public override async Task<ObjectFormatResponse> ObjectFormat(ObjectFormatRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var format = await Lode.Git.Objects.ObjectFormat.DetectAsync(git, paths, context.CancellationToken);
        return new ObjectFormatResponse
        {
            Format = format == Lode.Git.Objects.ObjectFormat.Sha256 ? Gitaly.ObjectFormat.Sha256 : Gitaly.ObjectFormat.Sha1,
        };
    }
}
