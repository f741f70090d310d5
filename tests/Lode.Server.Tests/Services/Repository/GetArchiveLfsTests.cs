using System.Diagnostics;
using System.Text;
using Gitaly;
using Lode.TestKit;
using Lode.TestKit.Fixtures;
using Lode.TestKit.Gitlab;
using static Gitaly.GetArchiveRequest.Types;

namespace Lode.Server.Tests.Services.Repository;

/// <summary>
/// GetArchive's <c>include_lfs_blobs</c> with a GitLab to fetch the objects from: paths whose attributes say
/// <c>filter=lfs</c> and hold a pointer get the object GitLab's <c>/lfs</c> serves, as gitaly-lfs-smudge gives them.
/// </summary>
public sealed class GetArchiveLfsTests(GitlabServerFixture server) : IClassFixture<GitlabServerFixture>
{
    private const string Content = "the large file's real content\n";

    /// <summary>Under filter=lfs but no pointer, and larger than any: the filter must echo it whole.</summary>
    private static readonly byte[] LargeContent = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7 % 251)).ToArray();

    [Fact]
    public async Task GetArchive_IncludeLfsBlobs_PointersUnderLfsFilterReplacedByGitlabObjects()
    {
        var (repo, commit, known, unknown, strayPointer) = await RepoAsync();
        var asked = new List<(string Oid, string GlRepository)>();
        server.Gitlab.Lfs = (oid, glRepository) =>
        {
            lock (asked)
            {
                asked.Add((oid, glRepository));
            }

            return oid == known ? new FakeAnswer(200, "application/octet-stream", Content) : FakeAnswer.Json(404, """{"message":"404 Not Found"}""");
        };

        using var extracted = await ArchiveAsync(repo, commit, includeLfsBlobs: true);

        Assert.Equal(Content, await File.ReadAllTextAsync(Path.Combine(extracted.Path, "p", "big.bin")));
        Assert.Equal(Pointer(unknown), await File.ReadAllTextAsync(Path.Combine(extracted.Path, "p", "missing.bin")));
        Assert.Equal(strayPointer, await File.ReadAllTextAsync(Path.Combine(extracted.Path, "p", "notes.txt")));
        Assert.Equal("plain\n", await File.ReadAllTextAsync(Path.Combine(extracted.Path, "p", "small.bin")));
        Assert.Equal(LargeContent, await File.ReadAllBytesAsync(Path.Combine(extracted.Path, "p", "large.bin")));
        Assert.Contains((known, "project-1"), asked);
        Assert.Contains((unknown, "project-1"), asked);
        Assert.Equal(2, asked.Count);
        Assert.All(server.Gitlab.RequestsTo("/lfs"), r => Assert.True(r.JwtValid));
    }

    [Fact]
    public async Task GetArchive_WithoutIncludeLfsBlobs_PointersStay()
    {
        var (repo, commit, known, _, _) = await RepoAsync();
        server.Gitlab.Lfs = (_, _) => new FakeAnswer(200, "application/octet-stream", Content);

        using var extracted = await ArchiveAsync(repo, commit, includeLfsBlobs: false);

        Assert.Equal(Pointer(known), await File.ReadAllTextAsync(Path.Combine(extracted.Path, "p", "big.bin")));
    }

    private static string Pointer(string oid) => $"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {Content.Length}\n";

    private async Task<(TestRepo Repo, string Commit, string Known, string Unknown, string Stray)> RepoAsync()
    {
        var repo = await server.CreateRepoAsync();
        var known = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Content)));
        var unknown = new string('b', 64);
        var stray = Pointer(known);
        var commit = await repo.CommitAsync(files: new Dictionary<string, object>
        {
            [".gitattributes"] = "*.bin filter=lfs diff=lfs merge=lfs -text\n",
            ["big.bin"] = Pointer(known),
            ["missing.bin"] = Pointer(unknown),
            ["small.bin"] = "plain\n",
            ["large.bin"] = LargeContent,
            ["notes.txt"] = stray,
        });
        return (repo, commit, known, unknown, stray);
    }

    private async Task<TempDirectory> ArchiveAsync(TestRepo repo, string commit, bool includeLfsBlobs)
    {
        using var call = server.Repository.GetArchive(new GetArchiveRequest
        {
            Repository = ServerFixture.Proto(repo),
            CommitId = commit,
            Prefix = "p",
            Format = Format.Tar,
            IncludeLfsBlobs = includeLfsBlobs,
        });
        using var archive = new MemoryStream();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            call.ResponseStream.Current.Data.WriteTo(archive);
        }

        var folder = new TempDirectory("lode-archive-lfs-");
        using var tar = Process.Start(new ProcessStartInfo("tar", ["-x", "-C", folder.Path, "-f", "-"]) { RedirectStandardInput = true })!;
        await tar.StandardInput.BaseStream.WriteAsync(archive.ToArray());
        tar.StandardInput.Close();
        await tar.WaitForExitAsync();
        Assert.Equal(0, tar.ExitCode);
        return folder;
    }
}
