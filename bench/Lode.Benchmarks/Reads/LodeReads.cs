using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Benchmarks.Support;

namespace Lode.Benchmarks.Reads;

/// <summary>
/// The Lode side of the reads benchmark: each RPC as GitLab calls it, over a real gRPC channel, every response
/// message read. Requests are built once; headers (with a fresh v2 token) per call, as GitLab's client does.
/// Each method returns what it read (bytes, entries, commits, branches), for the validation against git.
/// </summary>
internal sealed class LodeReads(InProcessLode lode, Repository repository, ReadTargets targets)
{
    private readonly CommitService.CommitServiceClient commits = new(lode.Channel);
    private readonly RefService.RefServiceClient refs = new(lode.Channel);
    private readonly ByteString revision = ByteString.CopyFromUtf8(targets.Revision);
    private readonly ByteString[] commitIds = [.. targets.Commits.Select(ByteString.CopyFromUtf8)];

    public int CommitCount => commitIds.Length;

    /// <summary>FindCommit of the <paramref name="index"/>-th commit of the set (round-robin); returns its id.</summary>
    public async Task<string> FindCommitAsync(int index, string? sessionId, CancellationToken cancellationToken)
    {
        var reply = await commits.FindCommitAsync(
            new FindCommitRequest { Repository = repository, Revision = commitIds[index % commitIds.Length] },
            InProcessLode.Headers(sessionId), cancellationToken: cancellationToken);
        return reply.Commit?.Id ?? throw new InvalidOperationException("FindCommit: no commit");
    }

    /// <summary>TreeEntry of the small blob: its content, streamed.</summary>
    public async Task<byte[]> TreeEntryAsync(string? sessionId, CancellationToken cancellationToken)
    {
        using var call = commits.TreeEntry(new TreeEntryRequest
        {
            Repository = repository,
            Revision = revision,
            Path = ByteString.CopyFromUtf8(targets.BlobPath),
        }, InProcessLode.Headers(sessionId), cancellationToken: cancellationToken);
        using var content = new MemoryStream();
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            message.Data.WriteTo(content);
        }

        return content.ToArray();
    }

    /// <summary>GetTreeEntries of the folder, not recursive; returns the entry count.</summary>
    public async Task<int> GetTreeEntriesAsync(string? sessionId, bool skipFlatPaths, CancellationToken cancellationToken)
    {
        using var call = commits.GetTreeEntries(new GetTreeEntriesRequest
        {
            Repository = repository,
            Revision = revision,
            Path = ByteString.CopyFromUtf8(targets.Folder),
            SkipFlatPaths = skipFlatPaths,
        }, InProcessLode.Headers(sessionId), cancellationToken: cancellationToken);
        var count = 0;
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            count += message.Entries.Count;
        }

        return count;
    }

    /// <summary>ListCommits of <paramref name="limit"/> commits from the revision (one page); returns their ids.</summary>
    public Task<List<string>> ListCommitsAsync(int limit, string? sessionId, CancellationToken cancellationToken) =>
        ListCommitsAsync(new ListCommitsRequest
        {
            Repository = repository,
            Revisions = { targets.Revision },
            PaginationParams = new PaginationParameter { Limit = limit },
        }, limit, sessionId, cancellationToken);

    /// <summary>
    /// Diagnostic: the same commits as <c>rev ^boundary</c> without a page limit, so that rev-list ends by itself
    /// instead of being killed when the page is full.
    /// </summary>
    public Task<List<string>> ListCommitsRangeAsync(string boundary, int expected, string? sessionId, CancellationToken cancellationToken) =>
        ListCommitsAsync(new ListCommitsRequest
        {
            Repository = repository,
            Revisions = { targets.Revision, "^" + boundary },
        }, expected, sessionId, cancellationToken);

    private async Task<List<string>> ListCommitsAsync(ListCommitsRequest request, int limit, string? sessionId, CancellationToken cancellationToken)
    {
        using var call = commits.ListCommits(request, InProcessLode.Headers(sessionId), cancellationToken: cancellationToken);
        var ids = new List<string>(limit);
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            foreach (var commit in message.Commits)
            {
                ids.Add(commit.Id);
            }
        }

        return ids;
    }

    /// <summary>FindLocalBranches, sorted by name, no pagination; returns the branch names.</summary>
    public async Task<List<string>> FindLocalBranchesAsync(string? sessionId, CancellationToken cancellationToken)
    {
        using var call = refs.FindLocalBranches(new FindLocalBranchesRequest { Repository = repository },
            InProcessLode.Headers(sessionId), cancellationToken: cancellationToken);
        var names = new List<string>(1024);
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            foreach (var branch in message.LocalBranches)
            {
                if (branch.TargetCommit is null)
                {
                    throw new InvalidOperationException("FindLocalBranches: branch without its commit");
                }

                names.Add(branch.Name.ToStringUtf8());
            }
        }

        return names;
    }

    /// <summary>RawBlame of the blame file at the revision; returns git's porcelain output as streamed.</summary>
    public async Task<byte[]> RawBlameAsync(string? sessionId, CancellationToken cancellationToken)
    {
        using var call = commits.RawBlame(new RawBlameRequest
        {
            Repository = repository,
            Revision = revision,
            Path = ByteString.CopyFromUtf8(targets.BlamePath),
        }, InProcessLode.Headers(sessionId), cancellationToken: cancellationToken);
        using var content = new MemoryStream();
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            message.Data.WriteTo(content);
        }

        return content.ToArray();
    }
}
