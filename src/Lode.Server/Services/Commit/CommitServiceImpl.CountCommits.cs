using System.Globalization;
using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.Refs;
using Lode.Server.Conversions;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// <c>git rev-list --count</c> over the revision(s) or <c>--all</c>. As in Gitaly, a failing rev-list (a revision
    /// that does not resolve, an empty repository) is logged and answered with a count of zero.
    /// </summary>
    public override async Task<CountCommitsResponse> CountCommits(CountCommitsRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        RevisionValidator.Validate(request.Revision.Span, allowEmpty: true);
        foreach (var revision in request.Revisions)
        {
            RevisionValidator.Validate(revision.Span, allowPseudo: true);
        }

        if (request.Revision.IsEmpty && request.Revisions.Count == 0 && !request.All)
        {
            throw LodeException.InvalidArgument("empty Revision and false All");
        }

        var command = git.Create(repository, GitSubcommand.RevList).Flag("--count");
        var revisions = new List<ReadOnlyMemory<byte>>();
        if (request.All)
        {
            command.Flag("--all");
        }
        else
        {
            if (!request.Revision.IsEmpty)
            {
                revisions.Add(request.Revision.Memory);
            }

            foreach (var revision in request.Revisions)
            {
                revisions.Add(revision.Memory);
            }
        }

        if (request.Before is { } before)
        {
            command.Flag("--before=" + TimestampText.Rfc3339(before));
        }

        if (request.After is { } after)
        {
            command.Flag("--after=" + TimestampText.Rfc3339(after));
        }

        if (request.MaxCount != 0)
        {
            command.Flag("--max-count=" + request.MaxCount.ToString(CultureInfo.InvariantCulture));
        }

        if (request.FirstParent)
        {
            command.Flag("--first-parent");
        }

        if (request.GlobalOptions?.LiteralPathspecs == true)
        {
            command.Env("GIT_LITERAL_PATHSPECS", "1");
        }

        // Pseudo revisions (--not, --all, …) are options to rev-list; the rest are validated not to start with '-'.
        var positional = new List<ReadOnlyMemory<byte>>(revisions.Count);
        foreach (var revision in revisions)
        {
            if (revision.Span.StartsWith("-"u8))
            {
                command.Flag(Encoding.UTF8.GetString(revision.Span));
            }
            else
            {
                positional.Add(revision);
            }
        }

        List<ReadOnlyMemory<byte>> paths = request.Path.IsEmpty ? [] : [request.Path.Memory];
        var stdin = RevisionArguments.Add(command, positional, paths, endOfOptions: false);

        await using var revList = await command.StartAsync(cancellationToken);
        var stdinWrite = RevisionArguments.WriteStdinAsync(revList, stdin, cancellationToken);
        using var output = new MemoryStream();
        await revList.Stdout.CopyToAsync(output, cancellationToken);
        await stdinWrite;
        var exitCode = await revList.WaitAsync(cancellationToken);
        if (exitCode != 0)
        {
            CommitHistoryLog.IgnoringRevListError(logger, exitCode, revList.Stderr);
            return new CountCommitsResponse();
        }

        var text = Encoding.ASCII.GetString(output.GetBuffer(), 0, (int)output.Length).Trim();
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            throw LodeException.Internal("parse count: invalid syntax").With("output", text);
        }

        return new CountCommitsResponse { Count = unchecked((int)count) };
    }
}
