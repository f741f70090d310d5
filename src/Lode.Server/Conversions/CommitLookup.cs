using System.Text;
using Gitaly;
using Lode.Git.CatFile;
using Lode.Git.Objects;

namespace Lode.Server.Conversions;

/// <summary>
/// Reads commits through a cat-file reader and converts them to <c>GitCommit</c>. Every RPC that returns commits
/// goes through here, so they all fill the message the same way.
/// </summary>
public static class CommitLookup
{
    /// <summary>
    /// The commit a revision names, peeling tags (<c>rev^{commit}</c>); null when the revision does not resolve
    /// to a commit.
    /// </summary>
    public static async Task<GitCommit?> FindAsync(ObjectReader reader, string revision, CancellationToken cancellationToken)
    {
        using var obj = await reader.ReadAsync(revision + "^{commit}", cancellationToken);
        return obj is null || obj.Type != ObjectTypes.Commit ? null : CommitConverter.ToProto(obj.Oid, CommitParser.Parse(obj.Span));
    }

    /// <summary>The same for a revision given as raw bytes (ref names may be non-UTF-8).</summary>
    public static async Task<GitCommit?> FindAsync(ObjectReader reader, ReadOnlyMemory<byte> revision, CancellationToken cancellationToken)
    {
        var peeled = new byte[revision.Length + "^{commit}".Length];
        revision.CopyTo(peeled);
        Encoding.ASCII.GetBytes("^{commit}", peeled.AsSpan(revision.Length));
        using var obj = await reader.ReadAsync(peeled, cancellationToken);
        return obj is null || obj.Type != ObjectTypes.Commit ? null : CommitConverter.ToProto(obj.Oid, CommitParser.Parse(obj.Span));
    }

    /// <summary>Converts many commits with one round trip: every lookup is queued, then the answers are read in order.</summary>
    public static async Task<IReadOnlyList<GitCommit?>> FindManyAsync(ObjectReader reader, IReadOnlyList<string> revisions, CancellationToken cancellationToken)
    {
        var result = new GitCommit?[revisions.Count];
        using var queue = reader.CreateQueue();
        foreach (var revision in revisions)
        {
            queue.RequestContents(revision + "^{commit}");
        }

        queue.Flush();
        for (var i = 0; i < revisions.Count; i++)
        {
            using var obj = await queue.ReadObjectAsync(cancellationToken);
            result[i] = obj is null || obj.Type != ObjectTypes.Commit ? null : CommitConverter.ToProto(obj.Oid, CommitParser.Parse(obj.Span));
        }

        return result;
    }
}
