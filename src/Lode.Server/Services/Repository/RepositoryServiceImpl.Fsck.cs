using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Git.Commands;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Runs <c>git fsck</c> without progress and without dangling-object reports (every repository has those).
    /// A failing check is not an RPC error: its output is the answer, and a clean repository answers empty.
    /// </summary>
    public override async Task<FsckResponse> Fsck(FsckRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var cancellationToken = context.CancellationToken;

        // Like Gitaly, stdout and stderr go to one buffer in the order they arrive: git reports missing and broken
        // objects on stdout and errors on stderr, and the answer reads as git printed it.
        var output = new MemoryStream();
        var gate = new Lock();
        await using var process = await git.Create(paths, GitSubcommand.Fsck)
            .Flags("--no-progress", "--no-dangling")
            .StderrTo(chunk =>
            {
                lock (gate)
                {
                    output.Write(chunk.Span);
                }

                return ValueTask.CompletedTask;
            })
            .StartAsync(cancellationToken);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await process.Stdout.ReadAsync(buffer, cancellationToken)) > 0)
        {
            lock (gate)
            {
                output.Write(buffer, 0, read);
            }
        }

        var exitCode = await process.WaitAsync(cancellationToken);
        if (exitCode == 0)
        {
            return new FsckResponse();
        }

        lock (gate)
        {
            return new FsckResponse { Error = ByteString.CopyFrom(output.GetBuffer(), 0, (int)output.Length) };
        }
    }
}
