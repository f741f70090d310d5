using Lode.Core.Storage;
using Lode.Git.Commands;

namespace Lode.Benchmarks.CatFile;

/// <summary>
/// The baseline: a fresh <c>git cat-file --batch</c> fed all ids at once, its output read to the end and only
/// counted. Nothing is parsed, so this is what git alone costs.
/// </summary>
internal static class GitBatchRunner
{
    public static async Task<long> RunAsync(GitCommandFactory git, RepositoryPaths repository, byte[] payload, bool buffer,
        CancellationToken cancellationToken)
    {
        var command = git.Create(repository, GitSubcommand.CatFile).Flag("--batch").WithStdin();
        if (buffer)
        {
            command.Flag("--buffer");
        }

        await using var process = await command.StartAsync(cancellationToken);
        // Write and read concurrently: git stops reading ids while its output pipe is full.
        var writing = Task.Run(async () =>
        {
            await process.Stdin.WriteAsync(payload, cancellationToken);
            process.CloseStdin();
        }, cancellationToken);

        var chunk = new byte[64 * 1024];
        long lines = 0;
        int read;
        while ((read = await process.Stdout.ReadAsync(chunk, cancellationToken)) > 0)
        {
            // Count LFs as a cheap sanity figure; a real consumer would have to parse at least this much.
            lines += chunk.AsSpan(0, read).Count((byte)'\n');
        }

        await writing;
        await process.WaitSuccessAsync(cancellationToken);
        return lines > 0 ? payload.AsSpan().Count((byte)'\n') : 0;
    }
}
