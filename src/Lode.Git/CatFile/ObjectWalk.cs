using System.Runtime.CompilerServices;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Commands;
using Lode.Git.Refs;

namespace Lode.Git.CatFile;

/// <summary>
/// Enumerates objects as Gitaly's pipelines do: a graph walk with <c>git rev-list --objects</c>, or every object of the
/// object database with <c>git cat-file --batch-all-objects</c>. Results stream as git prints them; stopping early
/// kills the child.
/// </summary>
public static class ObjectWalk
{
    /// <summary>
    /// <c>git rev-list --in-commit-order --objects --object-names [--filter=blob:limit=N] [--filter=object:type=T
    /// --filter-provided-objects] revisions</c>. <paramref name="revisions"/> must have been validated with pseudo
    /// revisions allowed (see <see cref="PseudoRevisions.AddRevisions"/>). A revision git cannot resolve makes the walk
    /// end with a <see cref="GitCommandException"/> once its output is read.
    /// </summary>
    /// <param name="blobLimit">Only blobs smaller than this many bytes (git's <c>blob:limit</c>); null for all.</param>
    /// <param name="objectType">Only objects of this type, named ones included; null for all.</param>
    public static async IAsyncEnumerable<ListedObject> RevListAsync(GitCommandFactory git, RepositoryPaths repository,
        IEnumerable<string> revisions, int? blobLimit, string? objectType, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var command = git.Create(repository, GitSubcommand.RevList)
            .Flags("--in-commit-order", "--objects", "--object-names");
        if (blobLimit is { } limit)
        {
            command.Flag("--filter=blob:limit=" + limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (objectType is not null)
        {
            command.Flags("--filter=object:type=" + objectType, "--filter-provided-objects");
        }

        command.AddRevisions(revisions);
        await using var process = await command.StartAsync(cancellationToken);
        await foreach (var line in DelimitedRecords.ReadAsync(process.StdoutReader, (byte)'\n', cancellationToken))
        {
            yield return ParseRevListLine(line);
        }

        await process.WaitSuccessAsync(cancellationToken);
    }

    /// <summary>
    /// Every object of the object database (quarantine and alternates included, as the repository's environment says),
    /// in pack order: <c>git cat-file --batch-check --batch-all-objects --buffer --unordered</c>. Type and size are set.
    /// </summary>
    /// <param name="objectType">Only objects of this type; null for all.</param>
    /// <param name="maxSize">Only objects of at most this many bytes.</param>
    public static async IAsyncEnumerable<ListedObject> AllObjectsAsync(GitCommandFactory git, RepositoryPaths repository,
        string? objectType, long maxSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var command = git.Create(repository, GitSubcommand.CatFile)
            .Flags("--batch-check", "--batch-all-objects", "--buffer", "--unordered");
        await using var process = await command.StartAsync(cancellationToken);
        await foreach (var line in DelimitedRecords.ReadAsync(process.StdoutReader, (byte)'\n', cancellationToken))
        {
            var header = CatFileProtocol.ParseHeader(line);
            if (header.Info is { } info && (objectType is null || info.Type == objectType) && info.Size <= maxSize)
            {
                yield return new ListedObject(info.Oid, null, info.Type, info.Size);
            }
        }

        await process.WaitSuccessAsync(cancellationToken);
    }

    /// <summary><c>&lt;oid&gt;[ &lt;name&gt;]</c>; rev-list prints a bare trailing space for an object named on the command line.</summary>
    private static ListedObject ParseRevListLine(byte[] line)
    {
        var span = line.AsSpan();
        var space = span.IndexOf((byte)' ');
        var oid = space < 0 ? span : span[..space];
        if (oid.IsEmpty || oid.ContainsAnyExcept(Objects.HexChars.Bytes))
        {
            throw LodeException.Internal("rev-list: unexpected output").With("line", System.Text.Encoding.Latin1.GetString(line));
        }

        var name = space < 0 || space == span.Length - 1 ? null : span[(space + 1)..].ToArray();
        return new ListedObject(System.Text.Encoding.ASCII.GetString(oid), name);
    }
}
