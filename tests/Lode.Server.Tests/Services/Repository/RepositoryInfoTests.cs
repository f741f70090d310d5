using System.Globalization;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class RepositoryInfoTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task RepositoryInfo_LooseThenPacked_MatchesCountObjects(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        for (var i = 0; i < 3; i++)
        {
            await repo.CommitAsync(files: new Dictionary<string, object> { ["f" + i] = "content " + i });
        }

        var loose = await server.Repository.RepositoryInfoAsync(new() { Repository = ServerFixture.Proto(repo) });
        var count = await CountObjectsAsync(repo);

        Assert.Equal(count["count"], loose.Objects.LooseObjectsCount);
        Assert.Equal(0ul, loose.Objects.PackfileCount);
        Assert.Equal(Gitaly.RepositoryInfoResponse.Types.ReferencesInfo.Types.ReferenceBackend.Files, loose.References.ReferenceBackend);
        Assert.Equal(1ul, loose.References.LooseCount);

        await repo.GitAsync("repack", "-ad");
        await repo.GitAsync("pack-refs", "--all");
        var packed = await server.Repository.RepositoryInfoAsync(new() { Repository = ServerFixture.Proto(repo) });
        count = await CountObjectsAsync(repo);

        Assert.Equal(0ul, packed.Objects.LooseObjectsCount);
        Assert.Equal(count["packs"], packed.Objects.PackfileCount);
        var packBytes = Directory.EnumerateFiles(Path.Combine(repo.Path, "objects", "pack"), "*.pack").Sum(f => new FileInfo(f).Length);
        Assert.Equal((ulong)packBytes, packed.Objects.Size);
        Assert.Equal(0ul, packed.References.LooseCount);
        Assert.Equal((ulong)new FileInfo(Path.Combine(repo.Path, "packed-refs")).Length, packed.References.PackedSize);
    }

    [Fact]
    public async Task RepositorySizeAndObjectDirectorySize_KiBOfFiles()
    {
        var repo = await server.CreateRepoAsync();
        var big = new byte[300 * 1024];
        new Random(7).NextBytes(big);
        await repo.CommitAsync(files: new Dictionary<string, object> { ["big.bin"] = big });

        var size = await server.Repository.RepositorySizeAsync(new() { Repository = ServerFixture.Proto(repo) });
        var objects = await server.Repository.GetObjectDirectorySizeAsync(new() { Repository = ServerFixture.Proto(repo) });

        var expectedAll = Directory.EnumerateFiles(repo.Path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1024;
        var expectedObjects = Directory.EnumerateFiles(Path.Combine(repo.Path, "objects"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1024;
        Assert.Equal(expectedAll, size.Size);
        Assert.Equal(expectedObjects, objects.Size);
        Assert.True(objects.Size >= 290, objects.Size.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<Dictionary<string, ulong>> CountObjectsAsync(TestRepo repo)
    {
        var result = new Dictionary<string, ulong>();
        foreach (var line in await repo.GitLinesAsync("count-objects", "-v"))
        {
            var parts = line.Split(": ");
            result[parts[0]] = ulong.Parse(parts[1], CultureInfo.InvariantCulture);
        }

        return result;
    }
}
