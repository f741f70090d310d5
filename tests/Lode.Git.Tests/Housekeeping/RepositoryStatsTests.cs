using System.Diagnostics;
using System.Globalization;
using Lode.Core.Errors;
using Lode.Git.Housekeeping;
using Lode.TestKit;

namespace Lode.Git.Tests.Housekeeping;

/// <summary>
/// RepositoryStats against repositories shaped with the real git CLI; git (count-objects, cat-file's on-disk sizes,
/// for-each-ref) is the ground truth wherever it reports the same figure.
/// </summary>
public sealed class RepositoryStatsTests : IDisposable
{
    private const string RelativePath = "@hashed/aa/bb/repo.git";

    private readonly TempDirectory temp = new();
    private readonly TimeProvider clock = new FixedTimeProvider(DateTimeOffset.UtcNow);

    public static TheoryData<string> ObjectFormats => ["sha1", "sha256"];

    public void Dispose() => temp.Dispose();

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_EmptyRepository_ReportsNoObjectsAndNoMetadata(string format)
    {
        var repo = await CreateRepoAsync(format);

        var stats = Collect(repo);

        Assert.Equal(new ObjectStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), stats.Objects);
        Assert.Equal(new ReferenceStats(0, 0, ReferenceBackend.Files), stats.References);
        Assert.Null(stats.CommitGraph);
        Assert.Null(stats.Bitmap);
        Assert.Null(stats.MultiPackIndex);
        Assert.Null(stats.MultiPackIndexBitmap);
        Assert.Null(stats.Alternates);
        Assert.Null(stats.LastFullRepack);
        Assert.False(stats.IsObjectPool);
        Assert.Equal(await FindSizeAsync(repo.Path), stats.Size);
        Assert.True(stats.Size > 0); // config, HEAD, description, hooks
    }

    [Fact]
    public void Collect_MissingDirectory_ReportsZeroes()
    {
        var stats = RepositoryStats.Collect(temp.Combine("missing.git"), RelativePath, clock, CancellationToken.None);

        Assert.Equal(0UL, stats.Size);
        Assert.Equal(new ObjectStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), stats.Objects);
        Assert.Equal(0UL, stats.References.LooseCount);
        Assert.Null(stats.CommitGraph);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_LooseObjects_MatchGitCountAndDiskSizes(string format)
    {
        var repo = await CreateRepoAsync(format);
        await WriteHistoryAsync(repo, 3);

        var stats = Collect(repo);

        var counts = await CountObjectsAsync(repo);
        var diskSizes = await DiskSizesAsync(repo);
        Assert.Equal(counts["count"], stats.LooseObjects.Count);
        Assert.Equal((ulong)diskSizes.Count, stats.LooseObjects.Count);
        Assert.Equal(diskSizes.Values.Aggregate(0UL, (a, b) => a + b), stats.LooseObjects.Size);
        Assert.Equal(0UL, stats.LooseObjects.StaleCount);
        Assert.Equal(0UL, stats.LooseObjects.GarbageCount);
        Assert.Equal(stats.LooseObjects.Count, stats.Objects.LooseObjectsCount);
        Assert.Equal(stats.LooseObjects.Size, stats.Objects.Size);
        Assert.Equal(stats.LooseObjects.Size, stats.Objects.RecentSize);
        Assert.Equal(0UL, stats.Objects.StaleSize);
        Assert.Equal(0UL, stats.Objects.PackfileCount);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_GarbageInLooseShards_CountedAsGitCountsIt(string format)
    {
        var repo = await CreateRepoAsync(format);
        await WriteHistoryAsync(repo, 1);
        var before = Collect(repo).LooseObjects;
        var shard = Directory.CreateDirectory(Path.Combine(repo.Path, "objects", "ab")).FullName;
        await File.WriteAllTextAsync(Path.Combine(shard, "tmp_obj_Xy12ab"), "partial");
        await File.WriteAllTextAsync(Path.Combine(shard, "zz"), "junk!");

        var stats = Collect(repo);

        Assert.Equal((await CountObjectsAsync(repo))["garbage"], stats.LooseObjects.GarbageCount);
        Assert.Equal(2UL, stats.LooseObjects.GarbageCount);
        Assert.Equal((ulong)("partial".Length + "junk!".Length), stats.LooseObjects.GarbageSize);
        Assert.Equal(before.Count, stats.LooseObjects.Count);
        Assert.Equal(before.Size, stats.LooseObjects.Size);
        Assert.Equal(2UL, stats.Objects.LooseObjectsGarbageCount);
        Assert.Equal(before.Size, stats.Objects.Size); // garbage is not object data
    }

    [Fact]
    public async Task Collect_UpperCaseObjectName_CountedAsGarbage()
    {
        var repo = await CreateRepoAsync("sha1");
        var shard = Directory.CreateDirectory(Path.Combine(repo.Path, "objects", "ab")).FullName;
        await File.WriteAllTextAsync(Path.Combine(shard, new string('A', 38)), "x");
        await File.WriteAllTextAsync(Path.Combine(shard, new string('a', 37)), "x");
        await File.WriteAllTextAsync(Path.Combine(shard, new string('a', 38)), "x");

        var stats = Collect(repo);

        // git itself would parse the upper-case name as an object id; Gitaly only accepts what git writes.
        Assert.Equal(2UL, stats.LooseObjects.GarbageCount);
        Assert.Equal(1UL, stats.LooseObjects.Count);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_OldLooseObjects_OnlyThoseBeyondGracePeriodAreStale(string format)
    {
        var repo = await CreateRepoAsync(format);
        var now = new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);
        var veryOld = await repo.WriteBlobAsync("very old");
        var justStale = await repo.WriteBlobAsync("just stale");
        var justFresh = await repo.WriteBlobAsync("just fresh");
        var fresh = await repo.WriteBlobAsync("fresh");
        SetObjectTime(repo, veryOld, now.AddDays(-300));
        SetObjectTime(repo, justStale, now - RepositoryStats.StaleObjectsGracePeriod - TimeSpan.FromMinutes(1));
        SetObjectTime(repo, justFresh, now - RepositoryStats.StaleObjectsGracePeriod + TimeSpan.FromMinutes(1));
        SetObjectTime(repo, fresh, now.AddHours(-1));

        var stats = RepositoryStats.Collect(repo.Path, RelativePath, new FixedTimeProvider(now), CancellationToken.None);

        var diskSizes = await DiskSizesAsync(repo);
        var staleSize = diskSizes[veryOld] + diskSizes[justStale];
        Assert.Equal(4UL, stats.LooseObjects.Count);
        Assert.Equal(2UL, stats.LooseObjects.StaleCount);
        Assert.Equal(staleSize, stats.LooseObjects.StaleSize);
        Assert.Equal(2UL, stats.Objects.StaleLooseObjectsCount);
        Assert.Equal(staleSize, stats.Objects.StaleSize);
        Assert.Equal(stats.LooseObjects.Size - staleSize, stats.Objects.RecentSize);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_AfterFullRepack_ReportsOnePackfileOfGitsSize(string format)
    {
        var repo = await CreateRepoAsync(format);
        await WriteHistoryAsync(repo, 3);
        await repo.GitAsync("repack", "-ad", "--no-write-bitmap-index"); // bare repositories get a bitmap by default

        var stats = Collect(repo);

        var counts = await CountObjectsAsync(repo);
        Assert.Equal(counts["packs"], stats.Packfiles.Count);
        Assert.Equal(1UL, stats.Objects.PackfileCount);
        Assert.Equal(await PackSizeFromGitAsync(repo), stats.Packfiles.Size);
        Assert.Equal(0UL, stats.LooseObjects.Count);
        Assert.Equal(stats.Packfiles.Size, stats.Objects.Size);
        Assert.Equal(stats.Packfiles.Size, stats.Objects.RecentSize);
        Assert.Equal(0UL, stats.Objects.StaleSize);
        Assert.Equal(0UL, stats.Objects.KeepCount);
        Assert.Equal(0UL, stats.Objects.CruftCount);
        Assert.Equal(0UL, stats.Objects.ReverseIndexCount); // pack.writeReverseIndex is off by default in git 2.39
        Assert.Equal(0UL, stats.Packfiles.GarbageCount);
        Assert.Null(stats.Bitmap);
        Assert.Null(stats.MultiPackIndex);
    }

    [Fact]
    public async Task Collect_TwoIncrementalRepacks_CountsBothPacks()
    {
        var repo = await CreateRepoAsync("sha1");
        await WriteHistoryAsync(repo, 2);
        await repo.GitAsync("repack", "-d");
        await WriteHistoryAsync(repo, 2);
        await repo.GitAsync("repack", "-d");

        var stats = Collect(repo);

        Assert.Equal(2UL, stats.Packfiles.Count);
        Assert.Equal((await CountObjectsAsync(repo))["packs"], stats.Packfiles.Count);
        Assert.Equal(await PackSizeFromGitAsync(repo), stats.Packfiles.Size);
    }

    [Fact]
    public async Task Collect_ReverseIndexWritten_CountsRevFiles()
    {
        var repo = await CreateRepoAsync("sha1");
        await WriteHistoryAsync(repo, 2);
        await repo.GitAsync("-c", "pack.writeReverseIndex=true", "repack", "-ad");

        var stats = Collect(repo);

        Assert.Equal(1UL, stats.Objects.ReverseIndexCount);
        Assert.Single(Directory.GetFiles(Path.Combine(repo.Path, "objects", "pack"), "pack-*.rev"));
    }

    [Theory]
    [InlineData("sha1", true, false)]
    [InlineData("sha1", false, false)]
    [InlineData("sha1", true, true)]
    [InlineData("sha1", false, true)]
    [InlineData("sha256", true, true)]
    public async Task Collect_BitmapRepack_ReportsBitmapFlags(string format, bool hashCache, bool lookupTable)
    {
        var repo = await CreateRepoAsync(format);
        await WriteHistoryAsync(repo, 3);
        await repo.GitAsync(
            "-c", "pack.writeBitmapHashCache=" + (hashCache ? "true" : "false"),
            "-c", "pack.writeBitmapLookupTable=" + (lookupTable ? "true" : "false"),
            "repack", "-adb");

        var stats = Collect(repo);

        Assert.Equal(new BitmapStats(1, hashCache, lookupTable), stats.Bitmap);
        Assert.Null(stats.MultiPackIndexBitmap);
        Assert.Equal(0UL, stats.Packfiles.GarbageCount);
    }

    [Fact]
    public async Task Collect_KeepFile_CountsPackAsKept()
    {
        var repo = await CreateRepoAsync("sha1");
        await WriteHistoryAsync(repo, 2);
        await repo.GitAsync("repack", "-ad");
        var pack = Assert.Single(Directory.GetFiles(Path.Combine(repo.Path, "objects", "pack"), "pack-*.pack"));
        await File.WriteAllTextAsync(Path.ChangeExtension(pack, ".keep"), "kept by test\n");

        var stats = Collect(repo);

        var size = (ulong)new FileInfo(pack).Length;
        Assert.Equal(1UL, stats.Objects.KeepCount);
        Assert.Equal(size, stats.Objects.KeepSize);
        Assert.Equal(1UL, stats.Objects.PackfileCount); // kept packs are still packfiles
        Assert.Equal(size, stats.Objects.Size);
        Assert.Equal(size, stats.Objects.RecentSize);
        Assert.Equal(0UL, stats.Packfiles.GarbageCount);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_CruftPack_CountsItsSizeAsStale(string format)
    {
        var repo = await CreateRepoAsync(format);
        await WriteHistoryAsync(repo, 2);
        await repo.WriteBlobAsync("unreachable one");
        await repo.WriteBlobAsync("unreachable two");
        await repo.GitAsync("repack", "--cruft", "-d");

        var stats = Collect(repo);

        var packDirectory = Path.Combine(repo.Path, "objects", "pack");
        var cruft = Path.ChangeExtension(Assert.Single(Directory.GetFiles(packDirectory, "pack-*.mtimes")), ".pack");
        var cruftSize = (ulong)new FileInfo(cruft).Length;
        Assert.Equal(2UL, stats.Objects.PackfileCount);
        Assert.Equal(1UL, stats.Objects.CruftCount);
        Assert.Equal(cruftSize, stats.Packfiles.CruftSize);
        Assert.Equal(await PackSizeFromGitAsync(repo), stats.Objects.Size);
        Assert.Equal(cruftSize, stats.Objects.StaleSize);
        Assert.Equal(stats.Objects.Size - cruftSize, stats.Objects.RecentSize);
        Assert.Equal(0UL, stats.Packfiles.GarbageCount);
    }

    [Fact]
    public async Task Collect_KeptCruftPack_CountsAsKeptOnly()
    {
        var repo = await CreateRepoAsync("sha1");
        await WriteHistoryAsync(repo, 1);
        await repo.WriteBlobAsync("unreachable");
        await repo.GitAsync("repack", "--cruft", "-d");
        var mtimes = Assert.Single(Directory.GetFiles(Path.Combine(repo.Path, "objects", "pack"), "pack-*.mtimes"));
        await File.WriteAllTextAsync(Path.ChangeExtension(mtimes, ".keep"), "");

        var stats = Collect(repo);

        Assert.Equal(1UL, stats.Objects.KeepCount);
        Assert.Equal(0UL, stats.Objects.CruftCount);
        Assert.Equal(0UL, stats.Objects.StaleSize);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_MixedObjectDatabase_CombinesLooseAndPackedFigures(string format)
    {
        var repo = await CreateRepoAsync(format);
        await WriteHistoryAsync(repo, 2);
        await repo.WriteBlobAsync("unreachable");
        await repo.GitAsync("repack", "--cruft", "-d");
        var reachablePack = Directory.GetFiles(Path.Combine(repo.Path, "objects", "pack"), "pack-*.pack")
            .Single(p => !File.Exists(Path.ChangeExtension(p, ".mtimes")));
        await File.WriteAllTextAsync(Path.ChangeExtension(reachablePack, ".keep"), "");
        var now = DateTimeOffset.UtcNow;
        var old = await repo.WriteBlobAsync("old loose");
        SetObjectTime(repo, old, now.AddDays(-60));
        await repo.WriteBlobAsync("new loose");

        var stats = RepositoryStats.Collect(repo.Path, RelativePath, new FixedTimeProvider(now), CancellationToken.None);

        var loose = stats.LooseObjects;
        var packs = stats.Packfiles;
        Assert.Equal(2UL, loose.Count);
        Assert.Equal(1UL, loose.StaleCount);
        Assert.Equal(new ObjectStats(
            Size: loose.Size + packs.Size,
            RecentSize: loose.Size - loose.StaleSize + packs.Size - packs.CruftSize,
            StaleSize: loose.StaleSize + packs.CruftSize,
            KeepSize: (ulong)new FileInfo(reachablePack).Length,
            PackfileCount: 2,
            ReverseIndexCount: 0,
            CruftCount: 1,
            KeepCount: 1,
            LooseObjectsCount: 2,
            StaleLooseObjectsCount: 1,
            LooseObjectsGarbageCount: 0), stats.Objects);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_MonolithicCommitGraph_ReportsChainLengthZero(string format)
    {
        var repo = await CreateRepoAsync(format);
        await WriteHistoryAsync(repo, 3);
        await repo.GitAsync("commit-graph", "write", "--reachable");

        var stats = Collect(repo);

        Assert.True(File.Exists(Path.Combine(repo.Path, "objects", "info", "commit-graph")));
        // git 2.39 writes corrected commit dates (commitGraph.generationVersion=2) by default.
        Assert.Equal(new CommitGraphStats(0, HasBloomFilters: false, HasGenerationData: true, HasGenerationDataOverflow: false),
            stats.CommitGraph);
    }

    [Fact]
    public async Task Collect_CommitGraphGenerationVersion1_ReportsNoGenerationData()
    {
        var repo = await CreateRepoAsync("sha1");
        await WriteHistoryAsync(repo, 2);
        await repo.GitAsync("-c", "commitGraph.generationVersion=1", "commit-graph", "write", "--reachable", "--changed-paths");

        var stats = Collect(repo);

        Assert.Equal(new CommitGraphStats(0, HasBloomFilters: true, HasGenerationData: false, HasGenerationDataOverflow: false),
            stats.CommitGraph);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_SplitCommitGraphWithChangedPaths_ReportsChainAndBloomFilters(string format)
    {
        var repo = await CreateRepoAsync(format);
        await WriteHistoryAsync(repo, 3);
        await repo.GitAsync("commit-graph", "write", "--reachable", "--split", "--changed-paths");

        var stats = Collect(repo);

        Assert.Equal((ulong)ChainLines(repo).Length, stats.CommitGraph?.CommitGraphChainLength);
        Assert.Equal(new CommitGraphStats(1, HasBloomFilters: true, HasGenerationData: true, HasGenerationDataOverflow: false),
            stats.CommitGraph);
    }

    [Fact]
    public async Task Collect_TwoLayerCommitGraphChain_ReportsFeaturesOfAnyLayer()
    {
        var repo = await CreateRepoAsync("sha1");
        await WriteHistoryAsync(repo, 2);
        await repo.GitAsync("-c", "commitGraph.generationVersion=1", "commit-graph", "write", "--reachable", "--split");
        await WriteHistoryAsync(repo, 2);
        await repo.GitAsync("commit-graph", "write", "--reachable", "--split=no-merge", "--changed-paths");

        var stats = Collect(repo);

        Assert.Equal(2, ChainLines(repo).Length);
        Assert.Equal(2UL, stats.CommitGraph?.CommitGraphChainLength);
        Assert.True(stats.CommitGraph?.HasBloomFilters);
    }

    [Fact]
    public async Task Collect_CommitDatesGoingBackwards_ReportsGenerationDataOverflow()
    {
        var repo = await CreateRepoAsync("sha1");
        // A child committed ~123 years before its parent: its corrected-date offset no longer fits in 31 bits.
        await repo.CommitAsync(date: DateTimeOffset.FromUnixTimeSeconds(4_000_000_000));
        await repo.CommitAsync(date: DateTimeOffset.FromUnixTimeSeconds(100_000_000));
        await repo.GitAsync("commit-graph", "write", "--reachable", "--split", "--changed-paths");

        var stats = Collect(repo);

        Assert.Equal(new CommitGraphStats(1, HasBloomFilters: true, HasGenerationData: true, HasGenerationDataOverflow: true),
            stats.CommitGraph);
    }

    [Fact]
    public async Task Collect_ChainLayerMissing_SkipsItButCountsTheChain()
    {
        var repo = await CreateRepoAsync("sha1");
        await WriteHistoryAsync(repo, 2);
        await repo.GitAsync("commit-graph", "write", "--reachable", "--split", "--changed-paths");
        var chain = Path.Combine(repo.Path, "objects", "info", "commit-graphs", "commit-graph-chain");
        // As if a concurrent rewrite had replaced the layer between our reads of the chain and of the layer.
        await File.AppendAllTextAsync(chain, new string('e', 40) + "\n");

        var stats = Collect(repo);

        Assert.Equal(new CommitGraphStats(2, HasBloomFilters: true, HasGenerationData: true, HasGenerationDataOverflow: false),
            stats.CommitGraph);
    }

    [Fact]
    public async Task Collect_CorruptCommitGraph_ThrowsInternal()
    {
        var repo = await CreateRepoAsync("sha1");
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "objects", "info", "commit-graph"), "not a commit-graph at all");

        var error = Assert.Throws<LodeException>(() => Collect(repo));

        Assert.Equal(ErrorCode.Internal, error.Code);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_MultiPackIndex_ReportsPackCount(string format)
    {
        var repo = await CreateRepoAsync(format);
        await WriteHistoryAsync(repo, 2);
        await repo.GitAsync("repack", "-d");
        await WriteHistoryAsync(repo, 2);
        await repo.GitAsync("repack", "-d");
        await repo.GitAsync("multi-pack-index", "write");

        var stats = Collect(repo);

        Assert.Equal((await CountObjectsAsync(repo))["packs"], stats.MultiPackIndex?.PackfileCount);
        Assert.Equal(new MultiPackIndexStats(2, 1, HasLargeOffsets: false, HasBitmappedPacks: false, HasReverseIndex: false),
            stats.MultiPackIndex);
        Assert.Null(stats.MultiPackIndexBitmap);
        Assert.Equal(0UL, stats.Packfiles.GarbageCount);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_MultiPackIndexWithBitmap_ReportsReverseIndexAndBitmap(string format)
    {
        var repo = await CreateRepoAsync(format);
        await WriteHistoryAsync(repo, 2);
        await repo.GitAsync("repack", "-d");
        await WriteHistoryAsync(repo, 1);
        await repo.GitAsync("repack", "-d");
        await repo.GitAsync("-c", "pack.writeBitmapLookupTable=true", "multi-pack-index", "write", "--bitmap");

        var stats = Collect(repo);

        // git 2.39 stores the MIDX reverse index as a RIDX chunk whenever it writes a MIDX bitmap.
        Assert.Equal(new MultiPackIndexStats(2, 1, HasLargeOffsets: false, HasBitmappedPacks: false, HasReverseIndex: true),
            stats.MultiPackIndex);
        Assert.Equal(new BitmapStats(1, HasHashCache: true, HasLookupTable: true), stats.MultiPackIndexBitmap);
        Assert.Null(stats.Bitmap);
    }

    [Fact]
    public async Task Collect_CorruptBitmap_ThrowsInternal()
    {
        var repo = await CreateRepoAsync("sha1");
        await WriteHistoryAsync(repo, 1);
        await repo.GitAsync("repack", "-adb");
        var bitmap = Assert.Single(Directory.GetFiles(Path.Combine(repo.Path, "objects", "pack"), "pack-*.bitmap"));
        File.SetAttributes(bitmap, FileAttributes.Normal);
        await File.WriteAllTextAsync(bitmap, "XXXX");

        var error = Assert.Throws<LodeException>(() => Collect(repo));

        Assert.Equal(ErrorCode.Internal, error.Code);
    }

    [Fact]
    public async Task Collect_LooseRefs_CountsRefFiles()
    {
        var repo = await CreateRepoAsync("sha1");
        var commit = await repo.CommitAsync();
        await repo.GitAsync("update-ref", "refs/heads/feature/x", commit);
        await repo.GitAsync("update-ref", "refs/tags/v1", commit);
        await repo.GitAsync("update-ref", "refs/merge-requests/1/head", commit);

        var stats = Collect(repo);

        Assert.Equal((ulong)(await repo.GitLinesAsync("for-each-ref", "--format=%(refname)")).Length, stats.References.LooseCount);
        Assert.Equal(4UL, stats.References.LooseCount);
        Assert.Equal(0UL, stats.References.PackedSize);
        Assert.Equal(ReferenceBackend.Files, stats.References.Backend);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_PackedRefs_ReportsPackedSizeAndNoLooseRefs(string format)
    {
        var repo = await CreateRepoAsync(format);
        var commit = await repo.CommitAsync();
        await repo.GitAsync("update-ref", "refs/tags/v1", commit);
        await repo.GitAsync("pack-refs", "--all");

        var stats = Collect(repo);

        Assert.Equal(2, (await repo.GitLinesAsync("for-each-ref", "--format=%(refname)")).Length);
        Assert.Equal(0UL, stats.References.LooseCount);
        Assert.Equal((ulong)new FileInfo(Path.Combine(repo.Path, "packed-refs")).Length, stats.References.PackedSize);
        Assert.True(stats.References.PackedSize > 0);
    }

    [Fact]
    public async Task Collect_ReftableRefStorage_ReportsReftableBackend()
    {
        var repo = await CreateRepoAsync("sha1");
        await File.AppendAllTextAsync(Path.Combine(repo.Path, "config"), "[extensions]\n\trefStorage = reftable\n");

        var stats = Collect(repo);

        Assert.Equal(new ReferenceStats(0, 0, ReferenceBackend.Reftable), stats.References);
    }

    [Fact]
    public async Task Collect_ReftableDirectory_ReportsReftableBackend()
    {
        var repo = await CreateRepoAsync("sha1");
        Directory.CreateDirectory(Path.Combine(repo.Path, "reftable"));

        Assert.Equal(ReferenceBackend.Reftable, Collect(repo).References.Backend);
    }

    [Fact]
    public async Task Collect_SharedClone_ReportsAlternates()
    {
        var source = await CreateRepoAsync("sha1");
        await source.CommitAsync();
        var clonePath = temp.Combine("clone.git");
        await GitCli.RunAsync(null, "clone", "--bare", "--shared", "--quiet", source.Path, clonePath);
        var alternatesFile = Path.Combine(clonePath, "objects", "info", "alternates");

        var stats = RepositoryStats.Collect(clonePath, "clone.git", clock, CancellationToken.None);

        Assert.NotNull(stats.Alternates);
        Assert.Equal([Path.Combine(source.Path, "objects")], stats.Alternates.ObjectDirectories);
        Assert.Equal(new DateTimeOffset(File.GetLastWriteTimeUtc(alternatesFile), TimeSpan.Zero), stats.Alternates.LastModified);
        Assert.Equal(0UL, stats.Objects.Size); // the objects live in the source
    }

    [Fact]
    public async Task Collect_AlternatesWithCommentsAndBlankLines_SkipsThem()
    {
        var repo = await CreateRepoAsync("sha1");
        var path = Path.Combine(repo.Path, "objects", "info", "alternates");
        await File.WriteAllTextAsync(path, "# a comment\n/srv/pool.git/objects\n\n  ../../other.git/objects  \n");
        var mtime = new DateTime(2024, 3, 1, 10, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, mtime);

        var stats = Collect(repo);

        Assert.NotNull(stats.Alternates);
        Assert.Equal(["/srv/pool.git/objects", "../../other.git/objects"], stats.Alternates.ObjectDirectories);
        Assert.Equal(new DateTimeOffset(mtime), stats.Alternates.LastModified);
    }

    [Fact]
    public async Task Collect_FullRepackTimestamp_ReportsItsModificationTime()
    {
        var repo = await CreateRepoAsync("sha1");
        var path = Path.Combine(repo.Path, RepositoryStats.FullRepackTimestampFileName);
        await File.WriteAllBytesAsync(path, []);
        var mtime = new DateTime(2025, 6, 7, 8, 9, 10, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, mtime);

        var stats = Collect(repo);

        Assert.Equal(new DateTimeOffset(mtime), stats.LastFullRepack);
    }

    [Theory]
    [InlineData("@pools/2c/62/2c624232cdd221771294dfbb310aca000a0df6ac8b66b696d90ef06fdefb64a3.git", true)]
    [InlineData("@hashed/2c/62/2c624232cdd221771294dfbb310aca000a0df6ac8b66b696d90ef06fdefb64a3.git", false)]
    public async Task Collect_RelativePath_DecidesObjectPool(string relativePath, bool expected)
    {
        var repo = await CreateRepoAsync("sha1");

        var stats = RepositoryStats.Collect(repo.Path, relativePath, clock, CancellationToken.None);

        Assert.Equal(expected, stats.IsObjectPool);
    }

    [Theory]
    [MemberData(nameof(ObjectFormats))]
    public async Task Collect_Size_MatchesSumOfRegularFilesAsFindReportsIt(string format)
    {
        var repo = await CreateRepoAsync(format);
        await WriteHistoryAsync(repo, 3);
        await repo.GitAsync("repack", "-adb");
        await repo.GitAsync("commit-graph", "write", "--reachable");
        await WriteHistoryAsync(repo, 1);

        var stats = Collect(repo);

        Assert.Equal(await FindSizeAsync(repo.Path), stats.Size);
        Assert.Equal((ulong)DirectorySize.Bytes(repo.Path), stats.Size);
    }

    [Fact]
    public async Task Collect_CanceledToken_Throws()
    {
        var repo = await CreateRepoAsync("sha1");
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.Throws<OperationCanceledException>(() => RepositoryStats.Collect(repo.Path, RelativePath, clock, cts.Token));
    }

    private RepositoryStatsInfo Collect(TestRepo repo) =>
        RepositoryStats.Collect(repo.Path, RelativePath, clock, CancellationToken.None);

    private Task<TestRepo> CreateRepoAsync(string format) =>
        TestRepo.CreateAsync(temp.Combine(format + "-" + Guid.NewGuid().ToString("N")[..8] + ".git"), format);

    private static async Task WriteHistoryAsync(TestRepo repo, int commits)
    {
        for (var i = 0; i < commits; i++)
        {
            var unique = Guid.NewGuid().ToString("N");
            await repo.CommitAsync(files: new Dictionary<string, object>
            {
                ["README.md"] = "readme " + unique + "\n",
                ["src/file-" + unique[..6] + ".txt"] = string.Concat(Enumerable.Repeat(unique, 20)),
            });
        }
    }

    private static void SetObjectTime(TestRepo repo, string oid, DateTimeOffset time) =>
        File.SetLastWriteTimeUtc(Path.Combine(repo.Path, "objects", oid[..2], oid[2..]), time.UtcDateTime);

    private static string[] ChainLines(TestRepo repo) =>
        File.ReadAllLines(Path.Combine(repo.Path, "objects", "info", "commit-graphs", "commit-graph-chain"));

    /// <summary><c>git count-objects -v</c> as name → number.</summary>
    private static async Task<Dictionary<string, ulong>> CountObjectsAsync(TestRepo repo)
    {
        var result = new Dictionary<string, ulong>();
        foreach (var line in await repo.GitLinesAsync("count-objects", "-v"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            result[line[..colon]] = ulong.Parse(line[(colon + 1)..].Trim(), CultureInfo.InvariantCulture);
        }

        return result;
    }

    /// <summary>Every object's on-disk size as git reports it: the file size for a loose object, the packed size otherwise.</summary>
    private static async Task<Dictionary<string, ulong>> DiskSizesAsync(TestRepo repo)
    {
        var result = new Dictionary<string, ulong>();
        foreach (var line in await repo.GitLinesAsync("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objectsize:disk)"))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            result[line[..space]] = ulong.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return result;
    }

    /// <summary>
    /// Total .pack bytes derived from git alone: each pack is a 12-byte header, its objects' packed sizes and a
    /// trailing checksum of the repository's hash length. Assumes every object is packed exactly once.
    /// </summary>
    private static async Task<ulong> PackSizeFromGitAsync(TestRepo repo)
    {
        var packs = (await CountObjectsAsync(repo))["packs"];
        var objects = (await DiskSizesAsync(repo)).Values.Aggregate(0UL, (a, b) => a + b);
        return objects + (packs * (12 + ((ulong)repo.HexLength / 2)));
    }

    /// <summary>Sum of regular file sizes according to find(1), independent of .NET's file APIs.</summary>
    private static async Task<ulong> FindSizeAsync(string path)
    {
        var psi = new ProcessStartInfo("find") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { path, "-type", "f", "-printf", "%s\\n" })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        ulong total = 0;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            total += ulong.Parse(line, CultureInfo.InvariantCulture);
        }

        return total;
    }
}
