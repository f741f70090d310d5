using System.Security.Cryptography;
using System.Text;
using Lode.Git.Objects;
using Lode.TestKit;

namespace Lode.Git.Tests.CatFile;

/// <summary>
/// A repository with one object of each type, a path with spaces, a large blob, a non-UTF-8 path and an annotated
/// tag, plus ground truth from <c>git cat-file --batch</c>.
/// </summary>
internal sealed class CatFileTestRepo
{
    public const string SpacedPath = "dir with space/file name.txt";

    private CatFileTestRepo(TestRepo repo)
    {
        Repo = repo;
    }

    public TestRepo Repo { get; }

    public ObjectFormat Format => ObjectFormat.FromName(Repo.ObjectFormat)!;

    public string FirstCommit { get; private set; } = "";

    public string Head { get; private set; } = "";

    public string Tree { get; private set; } = "";

    public string Blob { get; private set; } = "";

    public string Tag { get; private set; } = "";

    public string LargeBlob { get; private set; } = "";

    public byte[] LargeContent { get; private set; } = [];

    public static byte[] Latin1Path => [(byte)'c', 0xe9, (byte)'.', (byte)'t', (byte)'x', (byte)'t'];

    public static async Task<CatFileTestRepo> CreateAsync(GitHarness git, string format = "sha1", int largeSize = 0)
    {
        var result = new CatFileTestRepo(await git.CreateRepoAsync(format));
        await result.PopulateAsync(largeSize);
        return result;
    }

    /// <summary>Deterministic incompressible bytes.</summary>
    public static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>What plain <c>git cat-file --batch</c> prints for these revisions, one per line.</summary>
    public Task<byte[]> BatchAsync(IEnumerable<string> revisions) =>
        Repo.GitBytesAsync(["cat-file", "--batch"], Encoding.UTF8.GetBytes(string.Join('\n', revisions) + "\n"));

    public Task<byte[]> BatchCheckAsync(IEnumerable<string> revisions) =>
        Repo.GitBytesAsync(["cat-file", "--batch-check"], Encoding.UTF8.GetBytes(string.Join('\n', revisions) + "\n"));

    /// <summary>
    /// Writes two blobs whose ids share their first four hex digits, so the prefix is ambiguous. Found by hashing
    /// candidates here (a 16-bit collision takes a few hundred tries) rather than by writing thousands of objects.
    /// </summary>
    public async Task<string> WriteAmbiguousPrefixAsync()
    {
        var seen = new Dictionary<string, byte[]>();
        for (var i = 0; ; i++)
        {
            var content = Encoding.ASCII.GetBytes("collision candidate " + i + "\n");
            var header = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
            byte[] data = [.. header, .. content];
#pragma warning disable CA5350 // git's object ids are SHA-1: this computes one, it secures nothing.
            var hash = Convert.ToHexStringLower(Format == ObjectFormat.Sha1 ? SHA1.HashData(data) : SHA256.HashData(data));
#pragma warning restore CA5350
            if (seen.TryGetValue(hash[..4], out var other))
            {
                await Repo.WriteBlobAsync(other);
                await Repo.WriteBlobAsync(content);
                return hash[..4];
            }

            seen[hash[..4]] = content;
        }
    }

    private async Task PopulateAsync(int largeSize)
    {
        FirstCommit = await Repo.CommitAsync(message: "first\n");
        var files = new Dictionary<string, object>
        {
            ["README.md"] = "# Hello\n",
            [SpacedPath] = "spaced out\n",
            ["latin1"] = new TreeFile("latin-1 named\n"u8.ToArray(), RawPath: Latin1Path),
            ["empty"] = "",
        };
        if (largeSize > 0)
        {
            LargeContent = RandomBytes(largeSize, 7);
            LargeBlob = await Repo.WriteBlobAsync(LargeContent);
            files["large.bin"] = new TreeFile(Oid: LargeBlob);
        }

        Head = await Repo.CommitAsync(message: "second\n\nwith body\n", files: files);
        Tree = await Repo.RevParseAsync("HEAD^{tree}");
        Blob = await Repo.RevParseAsync("HEAD:README.md");
        await Repo.GitAsync("tag", "-a", "-m", "Version 1", "v1", Head);
        Tag = await Repo.RevParseAsync("refs/tags/v1");
    }
}
