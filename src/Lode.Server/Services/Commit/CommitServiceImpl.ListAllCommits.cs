using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Commands;
using Lode.Server.Conversions;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// Every commit in the object database, reachable or not, in git's enumeration order
    /// (<c>cat-file --batch-all-objects --unordered</c>), read through the cat-file window. With a quarantine
    /// directory only the quarantine is enumerated, as Gitaly does, so that Rails sees just the pushed commits.
    /// A page token skips every object up to and including it; the limit stops the listing.
    /// </summary>
    public override async Task ListAllCommits(ListAllCommitsRequest request, IServerStreamWriter<ListAllCommitsResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        var enumerated = repository.ObjectDirectory is null ? repository : repository with { AlternateObjectDirectories = null };

        await using var lease = await objects.GetAsync(repository, context);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var catFile = await git.Create(enumerated, GitSubcommand.CatFile)
            .Flags("--batch-check", "--batch-all-objects", "--buffer", "--unordered")
            .StartAsync(stop.Token);
        var ids = ObjectPipeline.Buffer(AllCommitIds(catFile.StdoutReader, request.PaginationParams?.PageToken, stop.Token),
            CommitStream.ChannelCapacity, stop.Token, out var producer);

        var writer = new ChunkedWriter<ListAllCommitsResponse, GitCommit>(responseStream,
            static () => new ListAllCommitsResponse(), static (m, c) => m.Commits.Add(c));
        var limit = request.PaginationParams?.Limit ?? 0;
        var sent = 0;
        var stoppedEarly = false;
        var completed = false;
        try
        {
            await foreach (var (id, commit) in CommitStream.ReadCommitsAsync(lease.Reader, ids, static (q, id) => q.RequestContents(id),
                cancellationToken, PageWindow(limit)))
            {
                if (limit > 0 && sent >= limit)
                {
                    stoppedEarly = true;
                    break;
                }

                if (commit is null)
                {
                    throw LodeException.Internal("iterating objects: object not found").With("commit_id", id);
                }

                await writer.AddAsync(commit, cancellationToken);
                sent++;
            }

            completed = !stoppedEarly;
        }
        finally
        {
            if (!completed)
            {
                await CommitStream.StopAsync(stop, producer, Task.CompletedTask);
            }
        }

        if (completed)
        {
            await producer;
            var exitCode = await catFile.WaitAsync(cancellationToken);
            if (exitCode != 0)
            {
                throw LodeException.Internal($"iterating objects: cat-file failed: exit status {exitCode}").With("stderr", catFile.Stderr);
            }
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The commit ids of <c>--batch-check</c> lines ("oid type size"). Until the page token has been seen every
    /// object is skipped, whatever its type, exactly as Gitaly's skip callback does.
    /// </summary>
    private static async IAsyncEnumerable<string> AllCommitIds(PipeReader stdout, string? pageToken,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var waiting = !string.IsNullOrEmpty(pageToken);
        await foreach (var line in DelimitedRecords.ReadAsync(stdout, (byte)'\n', cancellationToken))
        {
            var span = line.AsSpan();
            var space = span.IndexOf((byte)' ');
            if (space < 0)
            {
                throw LodeException.Internal("parsing object info: invalid line").With("line", Encoding.Latin1.GetString(line));
            }

            var oid = Encoding.ASCII.GetString(span[..space]);
            if (waiting)
            {
                waiting = oid != pageToken;
                continue;
            }

            var rest = span[(space + 1)..];
            if (rest.StartsWith("commit "u8))
            {
                yield return oid;
            }
        }
    }
}
