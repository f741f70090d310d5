using Lode.Core.Storage;
using Lode.Git.CatFile;
using Lode.Git.Commands;

namespace Lode.Git.Refs;

/// <summary>
/// Gitaly's (v16+) <c>HeadReference</c> and <c>GetDefaultBranch</c>, used by FindDefaultBranchName and by
/// FindAllBranches' merged_only: HEAD's target if it resolves, else <c>refs/heads/main</c>, else
/// <c>refs/heads/master</c>, else the first branch in ref order, else empty. Rails relies on this order.
/// </summary>
/// <remarks>
/// Gitaly checks each candidate with <c>git rev-parse --verify</c>; here the three are looked up in one round trip
/// on the cat-file reader, which resolves names the same way. (A ref whose object is missing from a corrupt
/// repository counts as absent here, as present for rev-parse.)
/// </remarks>
public static class DefaultBranch
{
    private static readonly byte[] DefaultRef = "refs/heads/main"u8.ToArray();
    private static readonly byte[] LegacyDefaultRef = "refs/heads/master"u8.ToArray();

    /// <summary>
    /// The ref HEAD points to (<c>git symbolic-ref HEAD</c>), whether or not it exists. A detached HEAD fails with
    /// <see cref="GitCommandException"/>, as in Gitaly.
    /// </summary>
    public static async Task<byte[]> HeadReferenceAsync(GitCommandFactory git, RepositoryPaths repository, CancellationToken cancellationToken)
    {
        var output = await git.Create(repository, GitSubcommand.SymbolicRef).Arg("HEAD").RunAsync(cancellationToken);
        var newline = Array.IndexOf(output, (byte)'\n');
        return newline < 0 ? output : output[..newline];
    }

    /// <summary>The full name of the default branch; empty when the repository has no branch at all.</summary>
    public static async Task<byte[]> ResolveAsync(GitCommandFactory git, RepositoryPaths repository, ObjectReader reader,
        CancellationToken cancellationToken)
    {
        var head = await HeadReferenceAsync(git, repository, cancellationToken);
        byte[][] candidates = head.Length > 0 ? [head, DefaultRef, LegacyDefaultRef] : [DefaultRef, LegacyDefaultRef];
        var exists = new bool[candidates.Length];
        using (var queue = reader.CreateQueue())
        {
            foreach (var candidate in candidates)
            {
                queue.RequestInfo(candidate);
            }

            queue.Flush();
            for (var i = 0; i < candidates.Length; i++)
            {
                exists[i] = await queue.ReadInfoAsync(cancellationToken) is not null;
            }
        }

        for (var i = 0; i < candidates.Length; i++)
        {
            if (exists[i])
            {
                return candidates[i];
            }
        }

        var query = new RefListQuery { Format = "%(refname)", Patterns = [DefaultRef.AsMemory(0, "refs/heads/".Length)], Count = 1 };
        await foreach (var name in RefLister.ListAsync(git, repository, query, cancellationToken))
        {
            return name;
        }

        return [];
    }
}
