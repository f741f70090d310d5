using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Commands;
using Lode.Git.Housekeeping;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Streams <c>git bundle create - --all</c>: every reference with its full history. Stale GitLab worktrees are
    /// cleaned up first, as in Gitaly. A repository without references gives no bundle: FAILED_PRECONDITION
    /// "refusing to create empty bundle".
    /// </summary>
    public override async Task CreateBundle(CreateBundleRequest request, IServerStreamWriter<CreateBundleResponse> responseStream,
        ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        await WriteBundleAsync(paths, patterns: null, responseStream, static data => new CreateBundleResponse { Data = data },
            context.CancellationToken);
    }

    /// <summary>
    /// Runs <c>git bundle create -</c>, with <c>--all</c> or with <paramref name="patterns"/> (rev-list arguments, one
    /// per line) on stdin, and streams the bundle. Patterns naming nothing are ignored (<c>--ignore-missing</c>).
    /// </summary>
    private async Task WriteBundleAsync<TResponse>(RepositoryPaths paths, Func<Stream, CancellationToken, Task>? patterns,
        IServerStreamWriter<TResponse> responseStream, Func<ByteString, TResponse> toMessage, CancellationToken cancellationToken)
        where TResponse : class
    {
        try
        {
            await WorktreeCleanup.CleanupAsync(git, paths, time, cancellationToken);
        }
        catch (Exception e) when (e is LodeException or IOException or UnauthorizedAccessException)
        {
            throw LodeException.Wrap("cleaning up worktrees", e);
        }

        // "-" is the output file (stdout); what follows are rev-list arguments.
        var command = git.Create(paths, GitSubcommand.Bundle).Arg("create").Flag("-");
        command = patterns is null ? command.Flag("--all") : command.Flags("--ignore-missing", "--stdin").WithStdin();
        await using var process = await command.StartAsync(cancellationToken);
        var feeding = patterns is null ? Task.CompletedTask : FeedPatternsAsync(process, patterns, cancellationToken);
        try
        {
            await ByteStreamSender.CopyAsync(process.Stdout, responseStream, toMessage, cancellationToken);
        }
        catch
        {
            process.Kill();
            await feeding.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }

        await feeding;
        var exitCode = await process.WaitAsync(cancellationToken);
        if (exitCode == 0)
        {
            return;
        }

        if (exitCode == 128 && process.Stderr.StartsWith("fatal: Refusing to create empty bundle.", StringComparison.Ordinal))
        {
            // Gitaly v16 answers INTERNAL for CreateBundle and FAILED_PRECONDITION for CreateBundleFromRefList; the
            // v18 protocol documents FAILED_PRECONDITION for both.
            throw LodeException.FailedPrecondition("create bundle: refusing to create empty bundle");
        }

        throw LodeException.Wrap("create bundle", new GitCommandException("bundle", exitCode, process.Stderr));
    }

    private static async Task FeedPatternsAsync(GitProcess process, Func<Stream, CancellationToken, Task> patterns,
        CancellationToken cancellationToken)
    {
        try
        {
            await patterns(process.Stdin, cancellationToken);
            await process.Stdin.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // git stopped reading; its exit status says why.
        }
        finally
        {
            process.CloseStdin();
        }
    }
}
