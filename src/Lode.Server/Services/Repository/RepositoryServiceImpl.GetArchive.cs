using System.Text;
using System.Text.Unicode;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Text;
using Lode.Git.CatFile;
using Lode.Git.Commands;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Streaming;
using static Gitaly.GetArchiveRequest.Types;
using TreeEntry = Lode.Git.Objects.TreeEntry;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Streams <c>git archive</c> of a commit (zip, tar, tar.gz through <c>gzip -c -n</c>, tar.bz2 through
    /// <c>bzip2 -c</c>, byte for byte what Gitaly's pipelines give), optionally limited to <c>path</c> (with
    /// <c>elide_path</c>, the path's contents sit at the archive root) and without <c>exclude</c>d paths. Every entry is
    /// under <c>prefix/</c> (a bare <c>/</c> for an empty prefix, as in Gitaly). git's output is copied to the client
    /// as it is produced, in 32 KiB messages; the compressor runs as git's own archive filter, so it dies with git.
    /// </summary>
    /// <remarks>
    /// With <c>include_lfs_blobs</c> and <c>[gitlab] url</c>, LFS pointers under <c>filter=lfs</c> attributes are replaced by
    /// their objects from GitLab (<see cref="Lfs.LfsSmudgeSetup"/>), as gitaly-lfs-smudge does; a standalone server has
    /// no LFS objects to give and archives the pointers.
    /// </remarks>
    public override async Task GetArchive(GetArchiveRequest request, IServerStreamWriter<GetArchiveResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);

        // Paths are cleaned relative to the repository as Gitaly's storage.ValidateRelativePath does.
        var root = Encoding.UTF8.GetBytes(Path.TrimEndingDirectorySeparator(repository.FullPath));
        var path = TreePath.ResolveRelative(root, request.Path.Span)
            ?? throw LodeException.InvalidArgument("relative path escapes root directory");
        var excludes = new List<byte[]>(request.Exclude.Count);
        foreach (var exclude in request.Exclude)
        {
            excludes.Add(TreePath.ResolveRelative(root, exclude.Span)
                ?? throw LodeException.InvalidArgument("relative path escapes root directory"));
        }

        var commitId = Encoding.UTF8.GetBytes(request.CommitId);
        if (RevisionValidator.Check(commitId) is { } problem)
        {
            throw LodeException.InvalidArgument("invalid commitId: " + problem);
        }

        var (format, filter) = request.Format switch
        {
            Format.Zip => ("zip", null),
            Format.Tar => ("tar", null),
            Format.TarGz => ("tar.gz", "gzip -c -n"),
            Format.TarBz2 => ("tar.bz2", "bzip2 -c"),
            _ => throw LodeException.InvalidArgument("invalid format"),
        };

        if (request.Prefix.Contains('\0', StringComparison.Ordinal))
        {
            throw LodeException.InvalidArgument("invalid prefix");
        }

        var isRoot = path.AsSpan().SequenceEqual(TreePath.Root);
        var (pathEntry, excludeEntries) = await FindArchivePathsAsync(repository, context, commitId, isRoot ? null : path, excludes);

        if (request.ElidePath)
        {
            // git archive <commit>:<path> takes exclusions relative to the path.
            var pathSlash = path.Length + 1;
            for (var i = 0; i < excludes.Count; i++)
            {
                if (excludes[i].Length < pathSlash || !excludes[i].AsSpan().StartsWith(path) || excludes[i][path.Length] != '/')
                {
                    throw LodeException.InvalidArgument($"invalid exclude: {GoQuote.Quote(excludes[i])} is not a subdirectory of {GoQuote.Quote(path)}");
                }

                excludes[i] = excludes[i][pathSlash..];
            }
        }

        var command = git.Create(repository, GitSubcommand.Archive)
            .Flag("--format=" + format)
            .Flag("--prefix=" + request.Prefix + "/");
        if (filter is not null)
        {
            // git runs the compressor on its own output (tar.<format>.command), so it is part of git's process tree.
            command.Config("tar." + format + ".command", filter);
        }

        if (request.IncludeLfsBlobs)
        {
            lfs.Apply(command, request.Repository.GlRepository);
        }

        var pathspecs = new List<string>(excludes.Count * 2 + 1);
        if (!request.ElidePath)
        {
            command.Arg(request.CommitId);
            pathspecs.Add(IncludePathspec(path, pathEntry?.Kind == TreeEntryKind.Tree));
        }
        else if (!isRoot)
        {
            // A path git can only be given as text must be valid UTF-8; otherwise its tree id names the same tree.
            command.Arg(Utf8.IsValid(path) ? request.CommitId + ":" + Encoding.UTF8.GetString(path) : pathEntry!.ObjectId);
        }
        else
        {
            command.Arg(request.CommitId);
        }

        foreach (var exclude in excludes)
        {
            AddExcludePathspecs(pathspecs, exclude);
        }

        command.Paths(pathspecs);
        await using var archive = await command.StartAsync(cancellationToken);
        using var output = new ResponseChunkStream<GetArchiveResponse>(responseStream, static data => new GetArchiveResponse { Data = data },
            cancellationToken);
        await output.CopyFromAsync(archive.Stdout, long.MaxValue);
        await output.CompleteAsync();
        await archive.WaitSuccessAsync(cancellationToken);
    }

    /// <summary>Gitaly's precondition: the path and every exclusion must name an entry of the commit's tree.</summary>
    private async Task<(TreeEntry? Path, TreeEntry[] Excludes)> FindArchivePathsAsync(Core.Storage.RepositoryPaths repository,
        ServerCallContext context, byte[] commitId, byte[]? path, List<byte[]> excludes)
    {
        var cancellationToken = context.CancellationToken;
        await using var lease = await objects.GetAsync(repository, context);
        var finder = new TreeEntryFinder(lease.Reader);
        TreeEntry? pathEntry = null;
        if (path is not null)
        {
            pathEntry = await finder.FindAsync(commitId, path, cancellationToken)
                ?? throw LodeException.FailedPrecondition("path doesn't exist");
        }

        var excludeEntries = new TreeEntry[excludes.Count];
        for (var i = 0; i < excludes.Count; i++)
        {
            excludeEntries[i] = await finder.FindAsync(commitId, excludes[i], cancellationToken)
                ?? throw LodeException.FailedPrecondition($"exclude[{i}] doesn't exist");
        }

        return (pathEntry, excludeEntries);
    }

    /// <summary>
    /// The pathspec of the archived path: the path itself, as Gitaly passes it. Process arguments are text, so a path
    /// that is not UTF-8 becomes a glob in which each undecodable byte is a <c>?</c> (it was checked to exist, so at
    /// worst a sibling differing only in those bytes comes along); a directory is matched with <c>/**</c>.
    /// </summary>
    private static string IncludePathspec(byte[] path, bool isTree) =>
        Utf8.IsValid(path) ? Encoding.UTF8.GetString(path) : ":(glob)" + GlobOf(path) + (isTree ? "/**" : "");

    private static void AddExcludePathspecs(List<string> pathspecs, byte[] exclude)
    {
        if (Utf8.IsValid(exclude))
        {
            pathspecs.Add(":(exclude)" + Encoding.UTF8.GetString(exclude));
            return;
        }

        var glob = GlobOf(exclude);
        pathspecs.Add(":(exclude,glob)" + glob);
        pathspecs.Add(":(exclude,glob)" + glob + "/**");
    }

    /// <summary>A glob matching <paramref name="path"/>: wildcards escaped, bytes that are not UTF-8 replaced by <c>?</c>.</summary>
    private static string GlobOf(ReadOnlySpan<byte> path)
    {
        var glob = new StringBuilder(path.Length);
        while (!path.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(path, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                glob.Append('?');
                path = path[1..];
                continue;
            }

            if (rune.Value is '*' or '?' or '[' or '\\')
            {
                glob.Append('\\');
            }

            glob.Append(rune.ToString());
            path = path[consumed..];
        }

        return glob.ToString();
    }
}
