using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>Streams the raw bytes of the repository's <c>config</c> file; NOT_FOUND when it is missing.</summary>
    public override async Task GetConfig(GetConfigRequest request, IServerStreamWriter<GetConfigResponse> responseStream,
        ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var configPath = Path.Combine(paths.FullPath, "config");
        FileStream file;
        try
        {
            file = new FileStream(configPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw LodeException.NotFound("opening gitconfig: no such file or directory").With("path", configPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LodeException.Internal("opening gitconfig: " + e.Message).With("path", configPath);
        }

        await using (file)
        {
            await ByteStreamSender.CopyAsync(file, responseStream, static data => new GetConfigResponse { Data = data },
                context.CancellationToken);
        }
    }
}
