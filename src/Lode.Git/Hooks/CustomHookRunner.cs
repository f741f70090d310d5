using System.Diagnostics;
using System.ComponentModel;
using Lode.Git.Commands;

namespace Lode.Git.Hooks;

/// <summary>
/// Runs custom server hooks one after the other (spec §8.6): cwd is the repository, the environment is exactly the
/// one given (nothing of the server's leaks in), every hook gets the same stdin, and their stdout and stderr are
/// relayed as they come. The first hook that fails stops the chain. Hooks are children like git's: tracked, counted
/// against the spawn limit, killed on cancellation.
/// </summary>
public sealed class CustomHookRunner(GitCommandFactory git)
{
    private const int CopyBufferBytes = 32 * 1024;

    /// <summary>Runs <paramref name="hooks"/> in order; null when all succeeded, else the failure of the first that did not.</summary>
    public async Task<CustomHookFailure?> RunAsync(IReadOnlyList<string> hooks, string repositoryPath, IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment, ReadOnlyMemory<byte> stdin,
        Func<ReadOnlyMemory<byte>, ValueTask> stdout, Func<ReadOnlyMemory<byte>, ValueTask> stderr, CancellationToken cancellationToken)
    {
        foreach (var hook in hooks)
        {
            var failure = await RunOneAsync(hook, repositoryPath, arguments, environment, stdin, stdout, stderr, cancellationToken);
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    private async Task<CustomHookFailure?> RunOneAsync(string hook, string repositoryPath, IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment, ReadOnlyMemory<byte> stdin,
        Func<ReadOnlyMemory<byte>, ValueTask> stdout, Func<ReadOnlyMemory<byte>, ValueTask> stderr, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(hook)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = repositoryPath,
        };
        psi.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        GitProcess process;
        try
        {
            using (await git.AcquireSpawnSlotAsync(cancellationToken))
            {
                process = GitProcess.Start(psi, "custom-hook", pipeStdin: true, git.Tracker, git.StderrTailBytes, cancellationToken, stderr);
            }
        }
        catch (Win32Exception e)
        {
            // Not executable after all (a bad interpreter line, a vanished file): the hook failed to run.
            return new CustomHookFailure(hook, null, $"error executing \"{hook}\": {e.Message}");
        }

        await using (process)
        {
            var feed = FeedStdinAsync(process, stdin, cancellationToken);
            var buffer = new byte[CopyBufferBytes];
            int read;
            while ((read = await process.Stdout.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await stdout(buffer.AsMemory(0, read));
            }

            await feed;
            var exitCode = await process.WaitAsync(cancellationToken);
            return exitCode == 0 ? null : new CustomHookFailure(hook, exitCode, $"error executing \"{hook}\": exit status {exitCode}");
        }
    }

    private static async Task FeedStdinAsync(GitProcess process, ReadOnlyMemory<byte> stdin, CancellationToken cancellationToken)
    {
        try
        {
            if (!stdin.IsEmpty)
            {
                await process.Stdin.WriteAsync(stdin, cancellationToken);
            }
        }
        catch (IOException)
        {
            // The hook exited without reading all of its input; git's hooks may do that too.
        }
        finally
        {
            process.CloseStdin();
        }
    }
}

/// <summary>
/// A custom hook that failed: its path, its exit code (null when it could not be started at all) and Gitaly's
/// description of the failure.
/// </summary>
public sealed record CustomHookFailure(string Hook, int? ExitCode, string Message);
