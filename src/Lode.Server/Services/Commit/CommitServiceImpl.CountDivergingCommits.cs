using System.Globalization;
using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// <c>git rev-list --count --left-right from...to</c>. As Gitaly notes, with max_count the counts are not exact:
    /// rev-list stops the walk after that many commits of either side.
    /// </summary>
    public override async Task<CountDivergingCommitsResponse> CountDivergingCommits(CountDivergingCommitsRequest request,
        ServerCallContext context)
    {
        // Gitaly checks the revisions before the repository.
        if (request.From.IsEmpty || request.To.IsEmpty)
        {
            throw LodeException.InvalidArgument("from and to are both required");
        }

        var repository = resolver.Resolve(request.Repository);
        var range = new byte[request.From.Length + 3 + request.To.Length];
        request.From.Span.CopyTo(range);
        "..."u8.CopyTo(range.AsSpan(request.From.Length));
        request.To.Span.CopyTo(range.AsSpan(request.From.Length + 3));

        var command = git.Create(repository, GitSubcommand.RevList).Flags("--count", "--left-right");
        if (request.MaxCount != 0)
        {
            command.Flag("--max-count=" + request.MaxCount.ToString(CultureInfo.InvariantCulture));
        }

        var stdin = RevisionArguments.Add(command, [range], []);
        await using var revList = await command.StartAsync(context.CancellationToken);
        var stdinWrite = RevisionArguments.WriteStdinAsync(revList, stdin, context.CancellationToken);
        using var output = new MemoryStream();
        await revList.Stdout.CopyToAsync(output, context.CancellationToken);
        await stdinWrite;
        var exitCode = await revList.WaitAsync(context.CancellationToken);
        if (exitCode != 0)
        {
            // Gitaly's message, typo included.
            throw LodeException.Internal($"gi rev-list error: exit status {exitCode}").With("stderr", revList.Stderr);
        }

        var text = Encoding.ASCII.GetString(output.GetBuffer(), 0, (int)output.Length);
        var counts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (counts.Length != 2)
        {
            throw LodeException.Internal("invalid output from git rev-list --left-right").With("output", text);
        }

        if (!int.TryParse(counts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var left))
        {
            throw LodeException.Internal("invalid left count value").With("value", counts[0]);
        }

        if (!int.TryParse(counts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var right))
        {
            throw LodeException.Internal("invalid right count value").With("value", counts[1]);
        }

        return new CountDivergingCommitsResponse { LeftCount = left, RightCount = right };
    }
}
