using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Streams <c>git fast-export --all</c>. Like Gitaly, the answer is whatever git wrote: its exit status is not
    /// checked once the output has been sent (git stops early, for instance, at a signed tag it refuses to export).
    /// </summary>
    public override async Task FastExport(FastExportRequest request, IServerStreamWriter<FastExportResponse> responseStream,
        ServerCallContext context)
    {
        if (request.Repository is null)
        {
            throw LodeException.InvalidArgument("repository is not set");
        }

        var paths = resolver.Resolve(request.Repository);
        await using var process = await git.Create(paths, GitSubcommand.FastExport)
            .Flag("--all")
            .StartAsync(context.CancellationToken);
        await ByteStreamSender.CopyAsync(process.Stdout, responseStream, static data => new FastExportResponse { Data = data },
            context.CancellationToken);
        await process.WaitAsync(context.CancellationToken);
    }
}
