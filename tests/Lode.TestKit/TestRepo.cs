using System.Globalization;
using System.Text;

namespace Lode.TestKit;

/// <summary>
/// A bare repository made with the real git CLI (style guide §2.10): blobs with hash-object, trees through a
/// temporary index, commits with commit-tree, refs with update-ref. Nothing is checked in as a seed.
/// </summary>
public sealed class TestRepo
{
    private int commitCounter;

    private TestRepo(string path, string objectFormat, string? storageRoot)
    {
        Path = path;
        ObjectFormat = objectFormat;
        StorageRoot = storageRoot;
    }

    /// <summary>Absolute path of the bare repository.</summary>
    public string Path { get; }

    /// <summary><c>sha1</c> or <c>sha256</c>.</summary>
    public string ObjectFormat { get; }

    /// <summary>The storage folder the repository lives in, when it was made inside one.</summary>
    public string? StorageRoot { get; }

    /// <summary>Path relative to the storage root, as clients send it.</summary>
    public string RelativePath => StorageRoot is null ? Path : System.IO.Path.GetRelativePath(StorageRoot, Path);

    public int HexLength => ObjectFormat == "sha256" ? 64 : 40;

    public string ZeroOid => new('0', HexLength);

    /// <summary>Creates an empty bare repository at <paramref name="path"/> (HEAD → refs/heads/main, unborn).</summary>
    public static async Task<TestRepo> CreateAsync(string path, string objectFormat = "sha1", string? storageRoot = null)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        await GitCli.RunBytesAsync(null, ["init", "--bare", "--quiet", "--initial-branch=main", "--object-format=" + objectFormat, path]);
        return new TestRepo(path, objectFormat, storageRoot);
    }

    public Task<string> GitAsync(params string[] args) => GitCli.RunAsync(Path, args);

    public async Task<string[]> GitLinesAsync(params string[] args)
    {
        var output = await GitAsync(args);
        return output.Length == 0 ? [] : output.Split('\n');
    }

    public Task<byte[]> GitBytesAsync(IEnumerable<string> args, byte[]? stdin = null) => GitCli.RunBytesAsync(Path, args, stdin);

    public async Task<string> WriteBlobAsync(byte[] content) =>
        Encoding.ASCII.GetString(await GitBytesAsync(["hash-object", "-w", "--stdin"], content)).Trim();

    public Task<string> WriteBlobAsync(string content) => WriteBlobAsync(Encoding.UTF8.GetBytes(content));

    /// <summary>
    /// Writes a tree from path → content (text, or <see cref="TreeFile"/> for modes and raw bytes); nested paths
    /// make nested trees. Returns the tree id.
    /// </summary>
    public async Task<string> WriteTreeAsync(IReadOnlyDictionary<string, object> files)
    {
        var index = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lode-index-" + Guid.NewGuid().ToString("N"));
        try
        {
            var env = new Dictionary<string, string> { ["GIT_INDEX_FILE"] = index };
            var input = new List<byte>();
            foreach (var (path, content) in files)
            {
                var file = content as TreeFile ?? new TreeFile(content is byte[] b ? b : Encoding.UTF8.GetBytes((string)content));
                var oid = file.Oid ?? await WriteBlobAsync(file.Content ?? []);
                input.AddRange(Encoding.UTF8.GetBytes($"{file.Mode} {oid}\t"));
                input.AddRange(file.RawPath ?? Encoding.UTF8.GetBytes(path));
                input.Add(0);
            }

            await GitCli.RunBytesAsync(Path, ["update-index", "--add", "-z", "--index-info"], [.. input], env);
            return Encoding.ASCII.GetString(await GitCli.RunBytesAsync(Path, ["write-tree"], env: env)).Trim();
        }
        finally
        {
            File.Delete(index);
        }
    }

    /// <summary>
    /// Commits <paramref name="files"/> (the whole tree) on <paramref name="branch"/> with the branch's current tip
    /// as parent (or <paramref name="parents"/> when given). Each commit gets a distinct, fixed date.
    /// </summary>
    public async Task<string> CommitAsync(string branch = "main", string message = "commit",
        IReadOnlyDictionary<string, object>? files = null, IReadOnlyList<string>? parents = null, string? tree = null,
        string author = "Jane Doe <jane@example.com>", DateTimeOffset? date = null)
    {
        tree ??= await WriteTreeAsync(files ?? new Dictionary<string, object> { ["README.md"] = "commit " + (commitCounter + 1) + "\n" });
        if (parents is null)
        {
            var tip = await TryRevParseAsync("refs/heads/" + branch);
            parents = tip is null ? [] : [tip];
        }

        var args = new List<string> { "commit-tree", tree, "-F", "-" };
        foreach (var p in parents)
        {
            args.Add("-p");
            args.Add(p);
        }

        var when = date ?? DateTimeOffset.FromUnixTimeSeconds(1700000000 + (++commitCounter * 60)).ToOffset(TimeSpan.FromHours(1));
        var stamp = when.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + " " + FormatOffset(when.Offset);
        var (name, email) = SplitIdentity(author);
        var env = new Dictionary<string, string>
        {
            ["GIT_AUTHOR_NAME"] = name,
            ["GIT_AUTHOR_EMAIL"] = email,
            ["GIT_AUTHOR_DATE"] = stamp,
            ["GIT_COMMITTER_DATE"] = stamp,
        };
        var oid = Encoding.ASCII.GetString(await GitCli.RunBytesAsync(Path, args, Encoding.UTF8.GetBytes(message), env)).Trim();
        if (branch.Length > 0)
        {
            await GitAsync("update-ref", "refs/heads/" + branch, oid);
        }

        return oid;
    }

    public async Task<string?> TryRevParseAsync(string revision)
    {
        var output = await GitCli.RunBytesAsync(Path, ["rev-parse", "--verify", "--quiet", revision + "^{object}"], check: false);
        var text = Encoding.ASCII.GetString(output).Trim();
        return text.Length == 0 ? null : text;
    }

    public Task<string> RevParseAsync(string revision) => GitAsync("rev-parse", "--verify", revision);

    private static string FormatOffset(TimeSpan offset) =>
        (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString("hhmm", CultureInfo.InvariantCulture);

    private static (string Name, string Email) SplitIdentity(string identity)
    {
        var lt = identity.IndexOf('<', StringComparison.Ordinal);
        return (identity[..lt].Trim(), identity[(lt + 1)..].TrimEnd('>', ' '));
    }
}

/// <summary>A file for <see cref="TestRepo.WriteTreeAsync"/> with an explicit mode, an existing object, or a raw (non-UTF-8) path.</summary>
public sealed record TreeFile(byte[]? Content = null, string Mode = "100644", string? Oid = null, byte[]? RawPath = null);
