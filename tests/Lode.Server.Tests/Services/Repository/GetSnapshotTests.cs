using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class GetSnapshotTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetSnapshot_Repository_RefsAndObjectsOnly(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync();
        await repo.GitAsync("repack", "-a", "-d", "-q");
        await repo.GitAsync("pack-refs", "--all");
        var loose = await repo.CommitAsync(branch: "feature", message: "loose");
        await repo.GitAsync("tag", "v1", loose);
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "shallow"), "");
        Directory.CreateDirectory(Path.Combine(repo.Path, "custom_hooks"));
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "objects", "this-should-not-be-included"), "");
        var hex = repo.HexLength;

        var names = await TarListAsync(await CallAsync(ServerFixture.Proto(repo)));

        Assert.Equal("HEAD", names[0]);
        Assert.Equal("packed-refs", names[1]);
        Assert.Contains("refs/", names);
        Assert.Contains("refs/heads/", names);
        Assert.Contains("refs/heads/feature", names);
        Assert.Contains("refs/tags/v1", names);
        Assert.Contains($"objects/{loose[..2]}/{loose[2..]}", names);
        Assert.Equal("shallow", names[^1]);
        var packs = Directory.GetFiles(Path.Combine(repo.Path, "objects", "pack"), "*.pack").Select(p => "objects/pack/" + Path.GetFileName(p)).ToArray();
        Assert.NotEmpty(packs);
        Assert.All(packs, p => Assert.Contains(p, names));
        Assert.All(packs, p => Assert.Contains(p[..^5] + ".idx", names));
        Assert.DoesNotContain(names, n => n is "config" or "description" || n.StartsWith("hooks", StringComparison.Ordinal) ||
            n.StartsWith("custom_hooks", StringComparison.Ordinal) || n.StartsWith("info", StringComparison.Ordinal) || n.EndsWith(".rev", StringComparison.Ordinal) ||
            n.Contains("this-should-not-be-included", StringComparison.Ordinal) || n == "objects/" || n.StartsWith("objects/info", StringComparison.Ordinal));
        Assert.All(names.Where(n => n.StartsWith("objects/", StringComparison.Ordinal)), n => Assert.True(
            n.StartsWith("objects/pack/pack-", StringComparison.Ordinal) || n.Length == "objects/".Length + hex + 1, n));
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetSnapshot_ExtractedIntoEmptyRepository_SameRefsAndObjectsAndFsckClean(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var first = await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "a" });
        await repo.GitAsync("repack", "-a", "-d", "-q");
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a"] = "a", ["b"] = "b" });
        await repo.CommitAsync(branch: "side", parents: [first]);
        await repo.GitAsync("tag", "-a", "-m", "annotated", "v1.0", first);

        var snapshot = await CallAsync(ServerFixture.Proto(repo));

        using var target = new TempDirectory();
        var copy = await TestRepo.CreateAsync(Path.Combine(target.Path, "copy.git"), format);
        await GetArchiveTests.RunAsync("tar", ["-x", "-f", "-", "-C", copy.Path], snapshot);
        Assert.Equal(await repo.GitAsync("for-each-ref"), await copy.GitAsync("for-each-ref"));
        Assert.Equal(await repo.GitAsync("rev-list", "--objects", "--all"), await copy.GitAsync("rev-list", "--objects", "--all"));
        await copy.GitAsync("fsck", "--strict");
    }

    [Fact]
    public async Task GetSnapshot_AlternateObjectDirectory_ObjectsReRootedUnderObjects()
    {
        var repo = await server.CreateRepoAsync();
        var alternate = Path.Combine(repo.Path, "alt-objects");
        Directory.CreateDirectory(alternate);
        var env = new Dictionary<string, string> { ["GIT_OBJECT_DIRECTORY"] = alternate };
        var blob = Encoding.ASCII.GetString(await GitCli.RunBytesAsync(repo.Path, ["hash-object", "-w", "--stdin"], "in the alternate"u8.ToArray(), env)).Trim();
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "objects", "info", "alternates"), "../alt-objects\n");
        var commit = await repo.CommitAsync(files: new Dictionary<string, object> { ["f"] = new TreeFile(Oid: blob) });

        var snapshot = await CallAsync(ServerFixture.Proto(repo));

        var names = await TarListAsync(snapshot);
        Assert.Contains($"objects/{blob[..2]}/{blob[2..]}", names);
        using var target = new TempDirectory();
        var copy = await TestRepo.CreateAsync(Path.Combine(target.Path, "copy.git"));
        await GetArchiveTests.RunAsync("tar", ["-x", "-f", "-", "-C", copy.Path], snapshot);
        Assert.Equal("in the alternate", await copy.GitAsync("cat-file", "-p", commit + ":f"));
        await copy.GitAsync("fsck");
    }

    [Fact]
    public async Task GetSnapshot_AlternateOutsideStorage_IgnoredWithoutFailing()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "objects", "info", "alternates"), Path.GetTempPath() + "\n");

        var names = await TarListAsync(await CallAsync(ServerFixture.Proto(repo)));

        Assert.Contains("HEAD", names);
    }

    [Fact]
    public async Task GetSnapshot_SymlinksUnderRefs_Skipped()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        File.CreateSymbolicLink(Path.Combine(repo.Path, "refs", "heads", "linked"), Path.Combine(repo.Path, "refs", "heads", "main"));

        var names = await TarListAsync(await CallAsync(ServerFixture.Proto(repo)));

        Assert.Contains("refs/heads/main", names);
        Assert.DoesNotContain("refs/heads/linked", names);
    }

    [Fact]
    public async Task GetSnapshot_LooseRefNotUtf8_ArchivedWithItsRawName()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync();
        byte[] update = [.. "update refs/heads/bad-"u8.ToArray(), 0xff, .. Encoding.ASCII.GetBytes(" " + commit + "\n")];
        await repo.GitBytesAsync(["update-ref", "--stdin"], update);

        var snapshot = await CallAsync(ServerFixture.Proto(repo));

        var names = await GetArchiveTests.RunAsync("tar", ["-t", "--quoting-style=literal", "-f", "-"], snapshot);
        byte[] expected = [.. "refs/heads/bad-"u8.ToArray(), 0xff, (byte)'\n'];
        Assert.True(names.AsSpan().IndexOf(expected) >= 0);
        using var target = new TempDirectory();
        var copy = await TestRepo.CreateAsync(Path.Combine(target.Path, "copy.git"));
        await GetArchiveTests.RunAsync("tar", ["-x", "-f", "-", "-C", copy.Path], snapshot);
        Assert.Equal(await repo.GitBytesAsync(["for-each-ref"]), await copy.GitBytesAsync(["for-each-ref"]));
    }

    [Fact]
    public async Task GetSnapshot_HugeNamesAndDeepRefs_RoundTrip()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync();
        var longRef = "refs/heads/" + string.Join('/', Enumerable.Range(0, 12).Select(i => new string((char)('a' + i), 20)));
        await repo.GitAsync("update-ref", longRef, commit);

        var snapshot = await CallAsync(ServerFixture.Proto(repo));

        Assert.Contains(longRef, await TarListAsync(snapshot));
        using var target = new TempDirectory();
        var copy = await TestRepo.CreateAsync(Path.Combine(target.Path, "copy.git"));
        await GetArchiveTests.RunAsync("tar", ["-x", "-f", "-", "-C", copy.Path], snapshot);
        Assert.Equal(commit, await copy.RevParseAsync(longRef));
    }

    [Fact]
    public async Task GetSnapshot_PackedRefsIsASymlink_InternalAfterPartialData()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        File.CreateSymbolicLink(Path.Combine(repo.Path, "packed-refs"), "HEAD");
        using var call = server.Repository.GetSnapshot(new GetSnapshotRequest { Repository = ServerFixture.Proto(repo) });
        var data = new List<byte>();

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync())
            {
                data.AddRange(message.Data);
            }
        });

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.StartsWith("building snapshot failed", e.Status.Detail, StringComparison.Ordinal);
        Assert.NotEmpty(data);
    }

    [Fact]
    public async Task GetSnapshot_LargePack_StreamedInFullChunks()
    {
        var repo = await server.CreateRepoAsync();
        var random = new byte[300_000];
        new Random(8).NextBytes(random);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["big"] = random });
        await repo.GitAsync("repack", "-a", "-d", "-q");
        using var call = server.Repository.GetSnapshot(new GetSnapshotRequest { Repository = ServerFixture.Proto(repo) });
        var messages = new List<GetSnapshotResponse>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            messages.Add(message);
        }

        Assert.True(messages.Count > 8);
        Assert.All(messages.SkipLast(1), m => Assert.Equal(32 * 1024, m.Data.Length));
    }

    [Fact]
    public async Task GetSnapshot_NoRepository_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(null));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task GetSnapshot_RepositoryMissing_NotFoundWithoutData()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            CallAsync(new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "missing.git" }));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    private async Task<byte[]> CallAsync(Gitaly.Repository? repository)
    {
        using var call = server.Repository.GetSnapshot(new GetSnapshotRequest { Repository = repository });
        var data = new MemoryStream();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            message.Data.WriteTo(data);
        }

        return data.ToArray();
    }

    private static async Task<string[]> TarListAsync(byte[] tar) =>
        Encoding.UTF8.GetString(await GetArchiveTests.RunAsync("tar", ["-t", "-f", "-"], tar)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
