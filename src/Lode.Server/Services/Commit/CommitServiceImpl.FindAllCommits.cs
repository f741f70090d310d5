using System.Globalization;
using Gitaly;
using Grpc.Core;
using Lode.Git.Commands;
using Lode.Git.Refs;
using Lode.Server.Conversions;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// Deprecated: <c>git log</c> from a revision, or from every branch when none is given, with max_count, skip and
    /// order. A revision that does not resolve gives an empty stream, as Gitaly only logs git's failure.
    /// </summary>
    public override async Task FindAllCommits(FindAllCommitsRequest request, IServerStreamWriter<FindAllCommitsResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        RevisionValidator.Validate(request.Revision.Span, allowEmpty: true);

        var revisions = new List<ReadOnlyMemory<byte>>();
        if (request.Revision.IsEmpty)
        {
            await using var forEachRef = await git.Create(repository, GitSubcommand.ForEachRef)
                .Flag("--format=%(refname)")
                .EndOfOptions()
                .Arg("refs/heads")
                .StartAsync(cancellationToken);
            await foreach (var name in DelimitedRecords.ReadAsync(forEachRef.StdoutReader, (byte)'\n', cancellationToken))
            {
                revisions.Add(name);
            }

            await forEachRef.WaitSuccessAsync(cancellationToken);
        }
        else
        {
            revisions.Add(request.Revision.Memory);
        }

        var command = git.Create(repository, GitSubcommand.Log).Flag("--pretty=%H");
        if (request.MaxCount > 0)
        {
            command.Flag("--max-count=" + request.MaxCount.ToString(CultureInfo.InvariantCulture));
        }

        if (request.Skip > 0)
        {
            command.Flag("--skip=" + request.Skip.ToString(CultureInfo.InvariantCulture));
        }

        switch (request.Order)
        {
            case FindAllCommitsRequest.Types.Order.Date:
                command.Flag("--date-order");
                break;
            case FindAllCommitsRequest.Types.Order.Topo:
                command.Flag("--topo-order");
                break;
        }

        var stdin = RevisionArguments.Add(command, revisions, []);
        var writer = new ChunkedWriter<FindAllCommitsResponse, GitCommit>(responseStream,
            static () => new FindAllCommitsResponse(), static (m, c) => m.Commits.Add(c));
        await using (var lease = await objects.GetAsync(repository, context))
        {
            var (exitCode, stderr) = await CommitStream.SendLogAsync(command, stdin, lease.Reader,
                commit => writer.AddAsync(commit, cancellationToken), cancellationToken);
            await writer.FlushAsync(cancellationToken);
            if (exitCode != 0)
            {
                CommitHistoryLog.IgnoringLogError(logger, exitCode, stderr);
            }
        }
    }
}
