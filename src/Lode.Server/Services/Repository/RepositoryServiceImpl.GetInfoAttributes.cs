using Gitaly;
using Grpc.Core;
using Lode.Git.Objects;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Deprecated. Gitaly answers with the default branch's <c>.gitattributes</c> (<c>HEAD:.gitattributes</c>)
    /// rather than <c>info/attributes</c>, which git no longer needs. No file (or an unborn HEAD) is one empty
    /// message, not an error.
    /// </summary>
    [Obsolete("GetInfoAttributes is deprecated in the protocol; served for older clients.")]
    public override async Task GetInfoAttributes(GetInfoAttributesRequest request,
        IServerStreamWriter<GetInfoAttributesResponse> responseStream, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var cancellationToken = context.CancellationToken;
        await using var lease = await objects.GetAsync(paths, context);
        var info = await lease.Reader.InfoAsync("HEAD:.gitattributes", cancellationToken);
        if (info is null || info.Type != ObjectTypes.Blob || info.Size == 0)
        {
            await responseStream.WriteAsync(new GetInfoAttributesResponse(), cancellationToken);
            return;
        }

        await using var content = await lease.Reader.OpenAsync(info.Oid, cancellationToken);
        if (content is null)
        {
            await responseStream.WriteAsync(new GetInfoAttributesResponse(), cancellationToken);
            return;
        }

        await ByteStreamSender.CopyAsync(content, responseStream, static data => new GetInfoAttributesResponse { Attributes = data },
            cancellationToken);
    }
}
