using System.Runtime.CompilerServices;
using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Commands;
using Lode.Git.Refs;
using Lode.Server.Conversions;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// Walks history with <c>git rev-list</c> and streams the commits, read through the pooled cat-file reader with
    /// a window of requests in flight (Gitaly's rev-list → cat-file pipeline). A page token skips everything up
    /// to and including that commit; the page limit stops the walk. Commits are chunked by message size.
    /// </summary>
    public override async Task ListCommits(ListCommitsRequest request, IServerStreamWriter<ListCommitsResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        if (request.Revisions.Count == 0)
        {
            throw LodeException.InvalidArgument("missing revisions");
        }

        foreach (var revision in request.Revisions)
        {
            if (RevisionValidator.Check(Encoding.UTF8.GetBytes(revision), allowPseudo: true) is { } problem)
            {
                throw LodeException.InvalidArgument("invalid revision: " + problem).With("revision", revision);
            }
        }

        var command = git.Create(repository, GitSubcommand.RevList);
        AddListCommitsFlags(command, request);

        // A first page needs limit commits plus one to know whether more follow; without this rev-list walks the
        // whole history and is killed once the page is full.
        if (request.PaginationParams is { Limit: > 0 } page && string.IsNullOrEmpty(page.PageToken) && !request.Reverse)
        {
            command.Flag("--max-count=" + (page.Limit + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var revision in request.Revisions)
        {
            // rev-list takes no --end-of-options here, as in Gitaly: the pseudo revisions (--not, --all, …) are
            // options. Everything else was validated not to start with a dash.
            if (revision.StartsWith('-'))
            {
                command.Flag(revision);
            }
            else
            {
                command.Arg(revision);
            }
        }

        var pathspecs = new List<ReadOnlyMemory<byte>>(request.Paths.Count);
        foreach (var path in request.Paths)
        {
            pathspecs.Add(path.Memory);
        }

        var stdin = RevisionArguments.Add(command, [], pathspecs, endOfOptions: false);

        await using var lease = await objects.GetAsync(repository, context);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var revList = await command.StartAsync(stop.Token);
        var stdinWrite = RevisionArguments.WriteStdinAsync(revList, stdin, stop.Token);
        var ids = ObjectPipeline.Buffer(AfterPageToken(CommitStream.ObjectIdsAsync(revList.StdoutReader, stop.Token),
            request.PaginationParams?.PageToken, stop.Token), CommitStream.ChannelCapacity, stop.Token, out var producer);

        ListCommitsResponse? pending = null;
        var writer = new ChunkedWriter<ListCommitsResponse, GitCommit>(responseStream,
            () => pending = new ListCommitsResponse(), static (m, c) => m.Commits.Add(c));
        var limit = request.PaginationParams?.Limit ?? 0;
        var sent = 0;
        string? lastSent = null;
        var hasMore = false;
        var completed = false;
        try
        {
            await foreach (var (id, commit) in CommitStream.ReadCommitsAsync(lease.Reader, ids, static (q, id) => q.RequestContents(id),
                cancellationToken, PageWindow(limit)))
            {
                // As Gitaly: the limit is checked when the next commit arrives, so a full last page is only known to
                // be followed by more commits when one more was listed.
                if (limit > 0 && sent >= limit)
                {
                    hasMore = true;
                    break;
                }

                if (commit is null)
                {
                    throw LodeException.Internal("iterating objects: object not found").With("commit_id", id);
                }

                await writer.AddAsync(commit, cancellationToken);
                sent++;
                lastSent = commit.Id;
            }

            completed = !hasMore;
        }
        finally
        {
            if (!completed)
            {
                await CommitStream.StopAsync(stop, producer, stdinWrite);
            }
        }

        if (completed)
        {
            await producer;
            await stdinWrite;
            var exitCode = await revList.WaitAsync(cancellationToken);
            if (exitCode != 0)
            {
                throw LodeException.Internal($"iterating objects: rev-list pipeline command: exit status {exitCode}")
                    .With("stderr", revList.Stderr);
            }
        }

        if (hasMore && pending is not null && lastSent is not null)
        {
            pending.PaginationCursor = new PaginationCursor { NextCursor = lastSent };
        }

        await writer.FlushAsync(cancellationToken);
    }

    private static void AddListCommitsFlags(GitCommandBuilder command, ListCommitsRequest request)
    {
        switch (request.Order)
        {
            case ListCommitsRequest.Types.Order.Topo:
                command.Flag("--topo-order");
                break;
            case ListCommitsRequest.Types.Order.Date:
                command.Flag("--date-order");
                break;
        }

        if (request.Reverse)
        {
            command.Flag("--reverse");
        }

        if (request.MaxParents > 0)
        {
            command.Flag("--max-parents=" + request.MaxParents.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (request.DisableWalk)
        {
            command.Flag("--no-walk");
        }

        if (request.FirstParent)
        {
            command.Flag("--first-parent");
        }

        if (request.Before is { } before)
        {
            command.Flag("--before=" + TimestampText.GoTimeString(before));
        }

        if (request.After is { } after)
        {
            command.Flag("--after=" + TimestampText.GoTimeString(after));
        }

        if (!request.Author.IsEmpty)
        {
            command.Flag("--author=" + request.Author.ToStringUtf8());
        }

        if (request.IgnoreCase)
        {
            command.Flag("--regexp-ignore-case");
        }

        if (request.Skip > 0)
        {
            command.Flag("--skip=" + request.Skip.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var pattern in request.CommitMessagePatterns)
        {
            command.Flag("--grep=" + pattern.ToStringUtf8());
        }
    }

    /// <summary>
    /// The cat-file window for a page: one more than the limit is all that is ever read (the extra one tells that
    /// more follow), so a small page does not leave hundreds of answers to drain.
    /// </summary>
    private static int PageWindow(int limit) => limit is > 0 and < ObjectPipeline.DefaultWindow ? limit + 1 : ObjectPipeline.DefaultWindow;

    /// <summary>Drops every id up to and including <paramref name="pageToken"/>, as Gitaly's skip callback does.</summary>
    private static async IAsyncEnumerable<string> AfterPageToken(IAsyncEnumerable<string> ids, string? pageToken,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var waiting = !string.IsNullOrEmpty(pageToken);
        await foreach (var id in ids.WithCancellation(cancellationToken))
        {
            if (waiting)
            {
                waiting = id != pageToken;
                continue;
            }

            yield return id;
        }
    }
}
