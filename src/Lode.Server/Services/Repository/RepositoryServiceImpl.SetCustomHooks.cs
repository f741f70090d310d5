using Gitaly;
using Grpc.Core;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Replaces the repository's custom hooks with the tar archive streamed in <c>data</c> (root <c>custom_hooks/</c>),
    /// atomically; an empty archive removes them.
    /// </summary>
    public override async Task<SetCustomHooksResponse> SetCustomHooks(IAsyncStreamReader<SetCustomHooksRequest> requestStream,
        ServerCallContext context)
    {
        var first = await CustomHooksFirstRequestAsync(requestStream, context.CancellationToken);
        var repository = resolver.Resolve(first.Repository);
        await using var archive = new RequestStream<SetCustomHooksRequest>(
            new PrependedStreamReader<SetCustomHooksRequest>(first, requestStream), r => r.Data);
        await SetCustomHooksAsync(repository, archive, context.CancellationToken);
        return new SetCustomHooksResponse();
    }
}
