using System.Text;
using Lode.Core.Errors;
using Lode.Git.CatFile;

namespace Lode.Git.Objects;

/// <summary>
/// Tree lookups through a <c>cat-file</c> reader, without starting a process: resolving <c>rev:path</c> the way
/// git's <c>get_tree_entry</c> does, listing one tree, and walking a tree recursively in <c>ls-tree -r -t</c> order.
/// </summary>
public static class TreeLookup
{
    /// <summary>Mode git reports for the root tree of a revision.</summary>
    public const int TreeMode = 0x4000;

    /// <summary>
    /// Resolves <c>revision:path</c> as <c>git rev-parse</c> would: the revision is peeled to its tree, then each
    /// component is looked up with git's <c>find_tree_entry</c> rules (a trailing slash is allowed after a directory
    /// only; doubled or leading slashes match nothing). Null when it does not resolve. Paths starting with
    /// <c>./</c> or <c>../</c> are refused as git refuses them in a bare repository (fatally, which would kill the
    /// reader's process if sent as is).
    /// </summary>
    /// <returns>The entry's object id and mode (<see cref="TreeMode"/> for the root), and the format of the ids.</returns>
    public static async Task<ResolvedTreePath?> ResolveAsync(ObjectReader reader, ReadOnlyMemory<byte> revision,
        ReadOnlyMemory<byte> path, CancellationToken cancellationToken)
    {
        if (GitPath.IsRelativeSyntax(path.Span))
        {
            return null;
        }

        var peeled = new byte[revision.Length + "^{tree}".Length];
        revision.CopyTo(peeled);
        "^{tree}"u8.CopyTo(peeled.AsSpan(revision.Length));

        var tree = await reader.ReadAsync(peeled, cancellationToken);
        if (tree is null)
        {
            return null;
        }

        using (tree)
        {
            if (tree.Type != ObjectTypes.Tree)
            {
                return null;
            }

            var format = ObjectFormat.FromHexLength(tree.Oid.Length)
                ?? throw LodeException.Internal("tree lookup: unknown object format").With("oid", tree.Oid);
            if (path.IsEmpty)
            {
                return new ResolvedTreePath(tree.Oid, TreeMode, format);
            }

            return await WalkAsync(reader, tree.Content.ToArray(), path.ToArray(), format, cancellationToken);
        }
    }

    /// <summary>Reads and parses the tree <paramref name="oid"/>; null when it is missing or not a tree.</summary>
    public static async Task<List<TreeEntry>?> ReadTreeAsync(ObjectReader reader, string oid, ObjectFormat format,
        CancellationToken cancellationToken)
    {
        using var obj = await reader.ReadAsync(oid, cancellationToken);
        return obj is null || obj.Type != ObjectTypes.Tree ? null : TreeParser.Parse(obj.Span, format);
    }

    /// <summary>
    /// Every entry below the tree <paramref name="rootOid"/>, trees included, in the order of
    /// <c>git ls-tree -r -t</c> (depth first, each tree before its content). Trees are fetched one level at a time
    /// through a pipelined queue, and each distinct tree only once. Submodules are listed but not entered.
    /// </summary>
    /// <exception cref="LodeException">Internal when a tree is missing (ls-tree fails the same way).</exception>
    public static async Task<List<WalkedTreeEntry>> WalkAsync(ObjectReader reader, string rootOid, ObjectFormat format,
        CancellationToken cancellationToken)
    {
        var trees = new Dictionary<string, List<TreeEntry>>(StringComparer.Ordinal);
        var level = new List<string> { rootOid };
        while (level.Count > 0)
        {
            var next = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var wanted = new List<string>();
            foreach (var oid in level)
            {
                if (!trees.ContainsKey(oid) && seen.Add(oid))
                {
                    wanted.Add(oid);
                }
            }

            using (var queue = reader.CreateQueue())
            {
                foreach (var oid in wanted)
                {
                    queue.RequestContents(oid);
                }

                queue.Flush();
                foreach (var oid in wanted)
                {
                    using var obj = await queue.ReadObjectAsync(cancellationToken);
                    if (obj is null || obj.Type != ObjectTypes.Tree)
                    {
                        // Unread answers make the reader dirty; it is discarded, which is fine on this error path.
                        throw LodeException.Internal("walking tree: not a tree object").With("oid", oid);
                    }

                    var entries = TreeParser.Parse(obj.Span, format);
                    trees[oid] = entries;
                    foreach (var entry in entries)
                    {
                        if (entry.Kind == TreeEntryKind.Tree && !trees.ContainsKey(entry.ObjectId))
                        {
                            next.Add(entry.ObjectId);
                        }
                    }
                }
            }

            level = next;
        }

        var result = new List<WalkedTreeEntry>();
        AppendDepthFirst(trees, rootOid, [], result);
        return result;
    }

    private static void AppendDepthFirst(Dictionary<string, List<TreeEntry>> trees, string oid, byte[] prefix, List<WalkedTreeEntry> result)
    {
        foreach (var entry in trees[oid])
        {
            var path = prefix.Length == 0 ? entry.Name : [.. prefix, (byte)'/', .. entry.Name];
            result.Add(new WalkedTreeEntry(path, entry));
            if (entry.Kind == TreeEntryKind.Tree)
            {
                AppendDepthFirst(trees, entry.ObjectId, path, result);
            }
        }
    }

    private static async Task<ResolvedTreePath?> WalkAsync(ObjectReader reader, byte[] tree, byte[] path, ObjectFormat format,
        CancellationToken cancellationToken)
    {
        var name = path.AsMemory();
        while (true)
        {
            var step = FindEntry(tree, name.Span, format);
            switch (step.Outcome)
            {
                case FindOutcome.NotFound:
                    return null;
                case FindOutcome.Found:
                    return new ResolvedTreePath(step.Oid!, step.Mode, format);
            }

            // Descend: the rest of the path names something inside this subtree.
            using var subtree = await reader.ReadAsync(step.Oid!, cancellationToken);
            if (subtree is null || subtree.Type != ObjectTypes.Tree)
            {
                return null;
            }

            tree = subtree.Content.ToArray();
            name = name[step.Consumed..];
        }
    }

    /// <summary>git's <c>find_tree_entry</c> on one tree, including its early exit on sorted order.</summary>
    private static FindStep FindEntry(ReadOnlySpan<byte> tree, ReadOnlySpan<byte> name, ObjectFormat format)
    {
        var enumerator = TreeParser.Enumerate(tree, format);
        while (enumerator.MoveNext())
        {
            var entry = enumerator.Current;
            var entryName = entry.Name;
            if (entryName.Length > name.Length)
            {
                continue;
            }

            var cmp = name[..entryName.Length].SequenceCompareTo(entryName);
            if (cmp > 0)
            {
                continue;
            }

            if (cmp < 0)
            {
                break;
            }

            if (entryName.Length == name.Length)
            {
                return new FindStep(FindOutcome.Found, entry.ObjectIdHex, entry.Mode, 0);
            }

            if (name[entryName.Length] != (byte)'/')
            {
                continue;
            }

            if (entry.Kind != TreeEntryKind.Tree)
            {
                break;
            }

            if (entryName.Length + 1 == name.Length)
            {
                return new FindStep(FindOutcome.Found, entry.ObjectIdHex, entry.Mode, 0);
            }

            return new FindStep(FindOutcome.Descend, entry.ObjectIdHex, entry.Mode, entryName.Length + 1);
        }

        return new FindStep(FindOutcome.NotFound, null, 0, 0);
    }

    /// <summary>For logs: a path as text.</summary>
    public static string ToText(ReadOnlySpan<byte> path) => Encoding.UTF8.GetString(path);

    private enum FindOutcome
    {
        NotFound,
        Found,
        Descend,
    }

    private readonly record struct FindStep(FindOutcome Outcome, string? Oid, int Mode, int Consumed);
}

/// <summary>What <c>rev:path</c> resolved to: the object id, the mode its parent tree gives it, and the id format.</summary>
public sealed record ResolvedTreePath(string Oid, int Mode, ObjectFormat Format)
{
    public TreeEntryKind Kind => TreeParser.KindOf(Mode);
}

/// <summary>An entry met while walking a tree recursively, with its path relative to the walked tree.</summary>
public sealed record WalkedTreeEntry(byte[] Path, TreeEntry Entry);
