using System.Text;
using Gitaly;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Objects;

namespace Lode.Server.Conversions;

/// <summary>
/// Turns a batch of <c>for-each-ref</c> records <c>refname NUL objectname</c> into (name, target commit) pairs, as
/// Gitaly's branch listings do: each target is peeled with <c>^{commit}</c> (a branch may point at an annotated
/// tag), and a target that is not a commit fails the listing. The batch is one cat-file round trip.
/// </summary>
public static class BranchLookup
{
    /// <summary>The <c>--format</c> the records must have.</summary>
    public const string Format = "%(refname)%00%(objectname)";

    public static async Task<IReadOnlyList<(byte[] Name, GitCommit Commit)>> ResolveAsync(ObjectReader reader,
        IReadOnlyList<byte[]> records, CancellationToken cancellationToken)
    {
        var names = new byte[records.Count][];
        var revisions = new string[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var nul = Array.IndexOf(record, (byte)0);
            if (nul < 0 || Array.IndexOf(record, (byte)0, nul + 1) >= 0)
            {
                throw LodeException.Internal("error parsing ref").With("ref", Encoding.UTF8.GetString(record));
            }

            names[i] = record[..nul];
            revisions[i] = Encoding.ASCII.GetString(record, nul + 1, record.Length - nul - 1);
        }

        var result = new (byte[], GitCommit)[records.Count];
        using var queue = reader.CreateQueue();
        foreach (var revision in revisions)
        {
            queue.RequestContents(revision + "^{commit}");
        }

        queue.Flush();
        for (var i = 0; i < records.Count; i++)
        {
            using var obj = await queue.ReadObjectAsync(cancellationToken);
            if (obj is null || obj.Type != ObjectTypes.Commit)
            {
                throw LodeException.Internal("object not found").With("revision", revisions[i]);
            }

            result[i] = (names[i], CommitConverter.ToProto(obj.Oid, CommitParser.Parse(obj.Span)));
        }

        return result;
    }
}
