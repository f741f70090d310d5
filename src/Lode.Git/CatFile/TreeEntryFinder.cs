using System.Text;
using Lode.Git.Objects;

namespace Lode.Git.CatFile;

/// <summary>
/// Finds the tree entry at a revision and path the way Gitaly's <c>TreeEntryFinder</c> does: the parent directory
/// (<c>path.Dir</c>) is read as <c>revision:dir</c> and the entry whose joined path equals the requested path wins.
/// So only clean relative paths are found ("a/./b", "a//b" or "/a" are not), and a submodule entry is found even
/// though its commit is not in the repository. Parent trees are cached per finder, as one request often asks for
/// many paths of the same directory.
/// </summary>
public sealed class TreeEntryFinder(ObjectReader reader)
{
    private readonly Dictionary<string, List<TreeEntry>?> trees = new(StringComparer.Ordinal);

    /// <summary>The entry at <paramref name="path"/> in <paramref name="revision"/>; null when there is none.</summary>
    public async Task<TreeEntry?> FindAsync(ReadOnlyMemory<byte> revision, ReadOnlyMemory<byte> path, CancellationToken cancellationToken)
    {
        var dir = TreePath.Dir(path.Span);
        var key = Encoding.Latin1.GetString(revision.Span) + "\0" + Encoding.Latin1.GetString(dir);
        if (!trees.TryGetValue(key, out var entries))
        {
            entries = await ReadTreeAsync(revision, dir, cancellationToken);
            trees[key] = entries;
        }

        if (entries is null)
        {
            return null;
        }

        var prefix = dir.AsSpan().SequenceEqual(TreePath.Root) ? [] : dir.AsSpan();
        foreach (var entry in entries)
        {
            if (IsPath(path.Span, prefix, entry.Name))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="prefix"/>/<paramref name="name"/> (or just the name at the root).</summary>
    private static bool IsPath(ReadOnlySpan<byte> path, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> name)
    {
        if (prefix.IsEmpty)
        {
            return path.SequenceEqual(name);
        }

        return path.Length == prefix.Length + 1 + name.Length && path.StartsWith(prefix) && path[prefix.Length] == '/' &&
            path[(prefix.Length + 1)..].SequenceEqual(name);
    }

    /// <summary>The entries of <c>revision:dir</c>; null when that does not name a tree.</summary>
    private async Task<List<TreeEntry>?> ReadTreeAsync(ReadOnlyMemory<byte> revision, byte[] dir, CancellationToken cancellationToken)
    {
        // Asking cat-file for a path above the root makes it fail loudly; Gitaly does not ask either.
        if (dir.AsSpan().StartsWith("../"u8) || dir.AsSpan().SequenceEqual(".."u8))
        {
            return null;
        }

        var relative = dir.AsSpan().SequenceEqual(TreePath.Root) ? [] : dir;
        var name = new byte[revision.Length + 1 + relative.Length];
        revision.Span.CopyTo(name);
        name[revision.Length] = (byte)':';
        relative.CopyTo(name, revision.Length + 1);

        using var tree = await reader.ReadAsync(name, cancellationToken);
        if (tree is null || tree.Type != ObjectTypes.Tree || ObjectFormat.FromHexLength(tree.Oid.Length) is not { } format)
        {
            return null;
        }

        return TreeParser.Parse(tree.Span, format);
    }
}
