using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Hooks;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>Streams the repository's custom hooks as a tar archive rooted at <c>custom_hooks/</c>; no message when there are none.</summary>
    public override async Task GetCustomHooks(GetCustomHooksRequest request, IServerStreamWriter<GetCustomHooksResponse> responseStream,
        ServerCallContext context)
    {
        var repository = resolver.Resolve(request.Repository);
        await WriteCustomHooksAsync(repository, responseStream, data => new GetCustomHooksResponse { Data = data }, context.CancellationToken);
    }

    /// <summary>The archive of GetCustomHooks/BackupCustomHooks, in chunks of <c>data</c>.</summary>
    private static async Task WriteCustomHooksAsync<T>(RepositoryPaths repository, IServerStreamWriter<T> responseStream,
        Func<Google.Protobuf.ByteString, T> toMessage, CancellationToken cancellationToken)
        where T : class
    {
        await using var output = new ResponseChunkStream<T>(responseStream, toMessage, cancellationToken);
        try
        {
            await CustomHooksArchive.WriteAsync(repository.FullPath, output, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LodeException.Wrap("reading custom hooks: archiving hooks", e);
        }

        await output.CompleteAsync();
    }

    /// <summary>The first message of SetCustomHooks/RestoreCustomHooks: it names the repository (and may carry data).</summary>
    private static async Task<T> CustomHooksFirstRequestAsync<T>(IAsyncStreamReader<T> requestStream, CancellationToken cancellationToken)
    {
        if (!await requestStream.MoveNext(cancellationToken))
        {
            throw LodeException.Internal("getting first request: EOF");
        }

        return requestStream.Current;
    }

    /// <summary>Unpacks and swaps in a hooks archive; a refused entry is INVALID_ARGUMENT, anything else INTERNAL.</summary>
    private static async Task SetCustomHooksAsync(RepositoryPaths repository, Stream archive, CancellationToken cancellationToken)
    {
        try
        {
            await CustomHooksArchive.SetAsync(repository, archive, cancellationToken);

            // tar stops reading at its end-of-archive blocks, while the client may still be sending the record's
            // padding after them: the rest is read, so that the answer never cuts the client's last writes short.
            await archive.CopyToAsync(Stream.Null, cancellationToken);
        }
        catch (Exception e) when (e is LodeException or IOException or UnauthorizedAccessException)
        {
            throw LodeException.Wrap("setting custom hooks", e);
        }
    }
}
