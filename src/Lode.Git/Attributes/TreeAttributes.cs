using Lode.Core.Storage;
using Lode.Git.Commands;

namespace Lode.Git.Attributes;

/// <summary>
/// gitattributes(5) of paths as a tree defines them (its <c>.gitattributes</c> files, plus the repository's
/// <c>info/attributes</c>), for bare repositories. Gitaly runs <c>git check-attr --source=&lt;commit&gt;</c>, which
/// needs git 2.40; this builds a throw-away index holding only the tree's <c>.gitattributes</c> blobs and asks
/// <c>git check-attr --cached</c>, which reads attributes from that index and works with older git too. git does
/// all the pattern matching, macro expansion and precedence.
/// </summary>
public static class TreeAttributes
{
    /// <summary>
    /// The specified attributes of each path (in the order given; "set", "unset" or a value), or null for every
    /// path when no attribute file exists, in which case no process is started.
    /// </summary>
    /// <param name="attributeFiles">The tree's <c>.gitattributes</c> blobs: path and object id.</param>
    public static async Task<List<Dictionary<string, string>>?> CheckAsync(GitCommandFactory git, RepositoryPaths repository,
        IReadOnlyList<(byte[] Path, string Oid)> attributeFiles, IReadOnlyList<byte[]> paths, IReadOnlyList<string> names,
        CancellationToken cancellationToken)
    {
        var infoAttributes = Path.Combine(repository.FullPath, "info", "attributes");
        if ((attributeFiles.Count == 0 && !File.Exists(infoAttributes)) || paths.Count == 0)
        {
            return null;
        }

        var tmp = StorageDirectories.Tmp(repository.StorageRoot);
        Directory.CreateDirectory(tmp);
        var index = Path.Combine(tmp, "attributes-index-" + Guid.NewGuid().ToString("N"));
        try
        {
            await WriteIndexAsync(git, repository, index, attributeFiles, cancellationToken);
            return await CheckPathsAsync(git, repository, index, paths, names, cancellationToken);
        }
        finally
        {
            File.Delete(index);
            File.Delete(index + ".lock");
        }
    }

    private static async Task WriteIndexAsync(GitCommandFactory git, RepositoryPaths repository, string index,
        IReadOnlyList<(byte[] Path, string Oid)> attributeFiles, CancellationToken cancellationToken)
    {
        using var input = new MemoryStream();
        foreach (var (path, oid) in attributeFiles)
        {
            input.Write("100644 "u8);
            input.Write(System.Text.Encoding.ASCII.GetBytes(oid));
            input.WriteByte((byte)'\t');
            input.Write(path);
            input.WriteByte(0);
        }

        await using var updateIndex = await git.Create(repository, GitSubcommand.UpdateIndex)
            .Flags("--add", "-z", "--index-info")
            .Env("GIT_INDEX_FILE", index)
            .WithStdin()
            .StartAsync(cancellationToken);
        await updateIndex.Stdin.WriteAsync(input.GetBuffer().AsMemory(0, (int)input.Length), cancellationToken);
        updateIndex.CloseStdin();
        await updateIndex.WaitSuccessAsync(cancellationToken);
    }

    private static async Task<List<Dictionary<string, string>>> CheckPathsAsync(GitCommandFactory git, RepositoryPaths repository,
        string index, IReadOnlyList<byte[]> paths, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        // check-attr only reads attributes from the index outside a bare repository.
        await using var checkAttr = await git.Create(repository, GitSubcommand.CheckAttr)
            .Config("core.bare", "false")
            .Flags("--cached", "--stdin", "-z")
            .Args(names)
            .Env("GIT_INDEX_FILE", index)
            .WithStdin()
            .StartAsync(cancellationToken);

        // Paths go in while answers come out; git answers each path as soon as it has read it.
        var writer = Task.Run(async () =>
        {
            try
            {
                // Buffered so that a path is not a write of its own; not disposed, CloseStdin ends the input.
                var input = new BufferedStream(checkAttr.Stdin, 64 * 1024);
                foreach (var path in paths)
                {
                    await input.WriteAsync(path, cancellationToken);
                    input.WriteByte(0);
                }

                await input.FlushAsync(cancellationToken);
            }
            catch (IOException)
            {
                // git went away; its exit status says why.
            }
            finally
            {
                checkAttr.CloseStdin();
            }
        }, cancellationToken);

        var results = new List<Dictionary<string, string>>(paths.Count);
        var current = new Dictionary<string, string>(StringComparer.Ordinal);
        var field = 0;
        var answered = 0;
        string attribute = "";
        await foreach (var record in DelimitedRecords.ReadAsync(checkAttr.StdoutReader, 0, cancellationToken))
        {
            switch (field)
            {
                case 0:
                    break;
                case 1:
                    attribute = System.Text.Encoding.UTF8.GetString(record);
                    break;
                default:
                    var state = System.Text.Encoding.UTF8.GetString(record);
                    if (state != "unspecified")
                    {
                        current[attribute] = state;
                    }

                    if (++answered == names.Count)
                    {
                        results.Add(current);
                        current = new Dictionary<string, string>(StringComparer.Ordinal);
                        answered = 0;
                    }

                    break;
            }

            field = (field + 1) % 3;
        }

        await writer;
        await checkAttr.WaitSuccessAsync(cancellationToken);
        if (results.Count != paths.Count)
        {
            throw Core.Errors.LodeException.Internal("check-attr: answers do not match the paths");
        }

        return results;
    }
}
