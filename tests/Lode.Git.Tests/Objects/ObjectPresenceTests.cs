using Lode.Git.Objects;

namespace Lode.Git.Tests.Objects;

/// <summary>
/// Object presence from pack indexes and loose files, checked against what git has, and the index cache across
/// repacks: old indexes leave the cache when their pack folder is next listed, and one still held stays readable.
/// </summary>
public sealed class ObjectPresenceTests
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task Contains_PackedLooseAndMissing(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var packed = await repo.CommitAsync();
        await repo.GitAsync("repack", "-a", "-d");
        var loose = await repo.CommitAsync();
        var objectFormat = ObjectFormat.FromName(format)!;
        using var cache = new PackIndexCache();

        using var presence = ObjectPresence.Open(Path.Combine(repo.Path, "objects"), objectFormat, cache);

        Assert.NotNull(presence);
        Assert.True(presence.Contains(packed));
        Assert.True(presence.Contains(await repo.RevParseAsync(packed + "^{tree}")));
        Assert.True(presence.Contains(loose));
        Assert.False(presence.Contains(new string('7', objectFormat.HexLength)));
        Assert.False(presence.Contains("not hex"));
    }

    [Fact]
    public async Task Cache_Repack_OldIndexSweptAndStillReadableWhileHeld()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var first = await repo.CommitAsync();
        await repo.GitAsync("repack", "-a", "-d");
        var objects = Path.Combine(repo.Path, "objects");
        using var cache = new PackIndexCache();
        var before = ObjectPresence.Open(objects, ObjectFormat.Sha1, cache)!;
        Assert.Equal(1, cache.Count);

        var second = await repo.CommitAsync();
        await repo.GitAsync("repack", "-a", "-d");
        using (var after = ObjectPresence.Open(objects, ObjectFormat.Sha1, cache)!)
        {
            Assert.True(after.Contains(first));
            Assert.True(after.Contains(second));
        }

        // The old pack is gone from the folder and from the cache, but the reader that held it can still use it.
        Assert.Equal(1, cache.Count);
        Assert.True(before.Contains(first));
        before.Dispose();
    }

    [Fact]
    public async Task Cache_ManyReadersWhileRepacking_NoFalsePresenceNoCrash()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var commit = await repo.CommitAsync();
        await repo.GitAsync("repack", "-a", "-d");
        var objects = Path.Combine(repo.Path, "objects");
        using var cache = new PackIndexCache(capacity: 2);
        using var stop = new CancellationTokenSource();
        var answered = 0;
        var missing = new string('7', 40);

        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Null (a pack vanished between listing and mapping) sends callers to git, and so does "not found": a
                // folder listed while a repack renames and deletes can miss both the old index and the new one. What
                // must hold: no reader touches an unmapped index, and nothing absent is ever reported present.
                using var presence = ObjectPresence.Open(objects, ObjectFormat.Sha1, cache);
                if (presence is not null)
                {
                    Assert.False(presence.Contains(missing));
                    if (presence.Contains(commit))
                    {
                        Interlocked.Increment(ref answered);
                    }
                }
            }
        })).ToArray();

        for (var i = 0; i < 5; i++)
        {
            await repo.CommitAsync();
            await repo.GitAsync("repack", "-a", "-d");
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.True(answered > 0);
        Assert.True(cache.Count <= 2);
        using var settled = ObjectPresence.Open(objects, ObjectFormat.Sha1, cache)!;
        Assert.True(settled.Contains(commit));
    }
}
