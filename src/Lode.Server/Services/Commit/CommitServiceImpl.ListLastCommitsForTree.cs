using System.Text;
using System.Text.Unicode;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.CatFile;
using Lode.Git.Commands;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Conversions;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>Gitaly sends the commits of a tree in messages of this many entries.</summary>
    private const int LastCommitsBatchSize = 10;

    /// <summary>
    /// For the entries <c>git ls-tree --full-name revision -- path</c> lists (trees, then blobs, then submodules,
    /// each group in tree order), paged by offset and limit: the last commit that touched each one. As in Gitaly
    /// each entry gets its own <c>git log -1</c>, so the answers are git's own, merges and all; the logs of one
    /// batch of ten run side by side and their commits are read with one cat-file round trip.
    /// </summary>
    public override async Task ListLastCommitsForTree(ListLastCommitsForTreeRequest request,
        IServerStreamWriter<ListLastCommitsForTreeResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        var revisionBytes = Encoding.UTF8.GetBytes(request.Revision);
        RevisionValidator.Validate(revisionBytes);
        if (request.Offset < 0)
        {
            throw LodeException.InvalidArgument("offset negative");
        }

        if (request.Limit < 0)
        {
            throw LodeException.InvalidArgument("limit negative");
        }

        var path = request.Path.Span;
        var treePath = path.IsEmpty || path.SequenceEqual("/"u8) ? "."u8.ToArray() : request.Path.ToByteArray();
        var entries = Utf8.IsValid(treePath)
            ? await LsTreeAsync(repository, request.Revision, treePath, request.GlobalOptions, cancellationToken)
            : await ListLiteralPathAsync(repository, revisionBytes, treePath, context);

        // Trees first, then blobs, then submodules; stable within each group.
        var ordered = new List<LsTreeEntry>(entries.Count);
        ordered.AddRange(entries.Where(static e => e.Type == ObjectTypes.Tree));
        ordered.AddRange(entries.Where(static e => e.Type != ObjectTypes.Tree && e.Type != ObjectTypes.Commit));
        ordered.AddRange(entries.Where(static e => e.Type == ObjectTypes.Commit));

        var offset = request.Offset;
        if (offset >= ordered.Count)
        {
            return;
        }

        var end = (int)Math.Min((long)offset + request.Limit, ordered.Count);
        for (var batchStart = offset; batchStart < end; batchStart += LastCommitsBatchSize)
        {
            var batch = ordered.GetRange(batchStart, Math.Min(LastCommitsBatchSize, end - batchStart));
            var ids = await Task.WhenAll(batch.Select(entry =>
                LastCommitIdAsync(repository, revisionBytes, entry.Path, request.GlobalOptions, cancellationToken)));
            var found = new string[ids.Length];
            for (var i = 0; i < ids.Length; i++)
            {
                // Gitaly fails the call when an entry has no commit (its NotFoundError is not handled here).
                found[i] = ids[i] ?? throw LodeException.Internal("object not found");
            }

            IReadOnlyList<GitCommit?> commits;
            await using (var lease = await objects.GetAsync(repository, context))
            {
                commits = await CommitLookup.FindManyAsync(lease.Reader, found, cancellationToken);
            }

            var response = new ListLastCommitsForTreeResponse();
            for (var i = 0; i < batch.Count; i++)
            {
                response.Commits.Add(new ListLastCommitsForTreeResponse.Types.CommitForTree
                {
                    PathBytes = ByteString.CopyFrom(batch[i].Path),
                    Commit = commits[i] ?? throw LodeException.Internal("object not found").With("oid", found[i]),
                });
            }

            await responseStream.WriteAsync(response, cancellationToken);
        }
    }

    private async Task<List<LsTreeEntry>> LsTreeAsync(RepositoryPaths repository, string revision, byte[] path,
        GlobalOptions? options, CancellationToken cancellationToken)
    {
        var entries = new List<LsTreeEntry>();
        await using var lsTree = await git.Create(repository, GitSubcommand.LsTree)
            .Flags("-z", "--full-name")
            .WithGlobalOptions(options)
            .EndOfOptions()
            .Arg(revision)
            .Paths([Encoding.UTF8.GetString(path)])
            .StartAsync(cancellationToken);
        await foreach (var record in DelimitedRecords.ReadAsync(lsTree.StdoutReader, 0, cancellationToken))
        {
            entries.Add(LsTreeEntry.Parse(record));
        }

        var exitCode = await lsTree.WaitAsync(cancellationToken);
        if (exitCode != 0)
        {
            throw LodeException.Internal("exit status " + exitCode).With("stderr", lsTree.Stderr);
        }

        return entries;
    }

    /// <summary>
    /// What ls-tree lists for one literal path, for a path that cannot be a process argument (not UTF-8): with a
    /// trailing slash the content of that directory, otherwise the entry itself.
    /// </summary>
    private async Task<List<LsTreeEntry>> ListLiteralPathAsync(RepositoryPaths repository, byte[] revision, byte[] path,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        await using var lease = await objects.GetAsync(repository, context);
        var resolved = await TreeLookup.ResolveAsync(lease.Reader, revision, path, cancellationToken);
        if (resolved is null)
        {
            return [];
        }

        if (path[^1] != (byte)'/')
        {
            return [new LsTreeEntry(resolved.Mode, TypeOf(resolved.Kind), resolved.Oid, -1, path)];
        }

        var entries = await TreeLookup.ReadTreeAsync(lease.Reader, resolved.Oid, resolved.Format, cancellationToken) ?? [];
        var listed = new List<LsTreeEntry>(entries.Count);
        foreach (var entry in entries)
        {
            listed.Add(new LsTreeEntry(entry.Mode, entry.ObjectType, entry.ObjectId, -1, [.. path, .. entry.Name]));
        }

        return listed;
    }

    private static string TypeOf(TreeEntryKind kind) => kind switch
    {
        TreeEntryKind.Tree => ObjectTypes.Tree,
        TreeEntryKind.Submodule => ObjectTypes.Commit,
        _ => ObjectTypes.Blob,
    };
}
