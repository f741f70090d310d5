using System.Globalization;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.Refs;
using Lode.Server.Conversions;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// <c>git log --grep=query --regexp-ignore-case</c> from the revision (the default branch when empty), optionally
    /// limited to a path, with offset and limit. Like FindAllCommits, git failures give an empty stream.
    /// </summary>
    public override async Task CommitsByMessage(CommitsByMessageRequest request, IServerStreamWriter<CommitsByMessageResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        RevisionValidator.Validate(request.Revision.Span, allowEmpty: true);
        if (request.Query.Length == 0)
        {
            throw LodeException.InvalidArgument("empty Query");
        }

        var command = git.Create(repository, GitSubcommand.Log)
            .Flags("--pretty=%H", "--grep=" + request.Query, "--regexp-ignore-case");
        if (request.Offset > 0)
        {
            command.Flag("--skip=" + request.Offset.ToString(CultureInfo.InvariantCulture));
        }

        if (request.Limit > 0)
        {
            command.Flag("--max-count=" + request.Limit.ToString(CultureInfo.InvariantCulture));
        }

        if (request.GlobalOptions?.LiteralPathspecs == true)
        {
            command.Env("GIT_LITERAL_PATHSPECS", "1");
        }

        await using var lease = await objects.GetAsync(repository, context);
        ReadOnlyMemory<byte> revision = request.Revision.IsEmpty
            ? await DefaultBranch.ResolveAsync(git, repository, lease.Reader, cancellationToken)
            : request.Revision.Memory;
        List<ReadOnlyMemory<byte>> paths = request.Path.IsEmpty ? [] : [request.Path.Memory];
        var stdin = RevisionArguments.Add(command, [revision], paths);

        var writer = new ChunkedWriter<CommitsByMessageResponse, GitCommit>(responseStream,
            static () => new CommitsByMessageResponse(), static (m, c) => m.Commits.Add(c));
        var (exitCode, stderr) = await CommitStream.SendLogAsync(command, stdin, lease.Reader,
            commit => writer.AddAsync(commit, cancellationToken), cancellationToken);
        await writer.FlushAsync(cancellationToken);
        if (exitCode != 0)
        {
            CommitHistoryLog.IgnoringLogError(logger, exitCode, stderr);
        }
    }
}
