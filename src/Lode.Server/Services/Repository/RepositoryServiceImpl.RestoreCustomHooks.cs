using Gitaly;
using Grpc.Core;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>The deprecated name of <see cref="SetCustomHooks"/>; Gitaly runs the same code for both.</summary>
    [Obsolete("Deprecated in the proto; kept for old clients.")]
    public override async Task<RestoreCustomHooksResponse> RestoreCustomHooks(IAsyncStreamReader<RestoreCustomHooksRequest> requestStream,
        ServerCallContext context)
    {
        var first = await CustomHooksFirstRequestAsync(requestStream, context.CancellationToken);
        var repository = resolver.Resolve(first.Repository);
        await using var archive = new RequestStream<RestoreCustomHooksRequest>(
            new PrependedStreamReader<RestoreCustomHooksRequest>(first, requestStream), r => r.Data);
        await SetCustomHooksAsync(repository, archive, context.CancellationToken);
        return new RestoreCustomHooksResponse();
    }
}
