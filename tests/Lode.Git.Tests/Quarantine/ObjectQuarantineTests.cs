using Lode.Core.Storage;
using Lode.Git.Quarantine;

namespace Lode.Git.Tests.Quarantine;

public sealed class ObjectQuarantineTests
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task Migrate_ObjectsWrittenInQuarantine_MovedIntoRepositoryAndQuarantineRemoved(string format)
    {
        await using var harness = await GitHarness.CreateAsync();
        var repo = await harness.CreateRepoAsync(format);
        var existing = await repo.WriteBlobAsync("already there");
        using var quarantine = ObjectQuarantine.Create(harness.Paths(repo));

        // git writes into the quarantine when pointed at it; the repository's objects stay readable as an alternate.
        var env = new Dictionary<string, string>
        {
            ["GIT_OBJECT_DIRECTORY"] = quarantine.QuarantinedRepository.ObjectDirectory!,
            ["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = string.Join(':', quarantine.QuarantinedRepository.AlternateObjectDirectories!),
        };
        var blob = System.Text.Encoding.ASCII.GetString(await Lode.TestKit.GitCli.RunBytesAsync(repo.Path, ["hash-object", "-w", "--stdin"],
            "quarantined"u8.ToArray(), env)).Trim();
        await Lode.TestKit.GitCli.RunBytesAsync(repo.Path, ["cat-file", "-e", existing], env: env);
        Assert.Null(await repo.TryRevParseAsync(blob));
        Assert.StartsWith(Path.Combine(harness.Temp.Path, "+gitaly", "tmp", StorageDirectories.QuarantinePrefix(repo.RelativePath)),
            quarantine.Path, StringComparison.Ordinal);
        Assert.Equal(Path.GetRelativePath(repo.Path, quarantine.Path), quarantine.RelativeObjectDirectory);
        Assert.Equal(["objects"], quarantine.RelativeAlternateObjectDirectories);

        quarantine.Migrate();

        Assert.Equal(blob, await repo.RevParseAsync(blob));
        Assert.False(Directory.Exists(quarantine.Path));
    }

    [Fact]
    public async Task Migrate_Packs_LinkedInOrderAndExistingObjectKept()
    {
        await using var harness = await GitHarness.CreateAsync();
        var repo = await harness.CreateRepoAsync();
        await repo.CommitAsync();
        using var quarantine = ObjectQuarantine.Create(harness.Paths(repo));
        var pack = Path.Combine(quarantine.Path, "pack");
        Directory.CreateDirectory(pack);
        await File.WriteAllTextAsync(Path.Combine(pack, "pack-1.idx"), "idx");
        await File.WriteAllTextAsync(Path.Combine(pack, "pack-1.pack"), "pack");
        await File.WriteAllTextAsync(Path.Combine(pack, "pack-1.keep"), "keep");
        var loose = Directory.GetDirectories(Path.Combine(repo.Path, "objects")).First(d => Path.GetFileName(d).Length == 2);
        var looseFile = Directory.GetFiles(loose)[0];
        var collision = Path.Combine(quarantine.Path, Path.GetFileName(loose), Path.GetFileName(looseFile));
        Directory.CreateDirectory(Path.GetDirectoryName(collision)!);
        await File.WriteAllTextAsync(collision, "must not replace");
        var original = await File.ReadAllBytesAsync(looseFile);

        quarantine.Migrate();

        Assert.Equal("pack", await File.ReadAllTextAsync(Path.Combine(repo.Path, "objects", "pack", "pack-1.pack")));
        Assert.Equal("idx", await File.ReadAllTextAsync(Path.Combine(repo.Path, "objects", "pack", "pack-1.idx")));
        Assert.Equal("keep", await File.ReadAllTextAsync(Path.Combine(repo.Path, "objects", "pack", "pack-1.keep")));
        Assert.Equal(original, await File.ReadAllBytesAsync(looseFile));
        Assert.False(Directory.Exists(quarantine.Path));
    }

    [Fact]
    public async Task Dispose_NotMigrated_QuarantineRemovedAndRepositoryUntouched()
    {
        await using var harness = await GitHarness.CreateAsync();
        var repo = await harness.CreateRepoAsync();
        string path;
        using (var quarantine = ObjectQuarantine.Create(harness.Paths(repo)))
        {
            path = quarantine.Path;
            await File.WriteAllTextAsync(Path.Combine(path, "stray"), "x");
        }

        Assert.False(Directory.Exists(path));
        Assert.False(File.Exists(Path.Combine(repo.Path, "objects", "stray")));
    }
}
