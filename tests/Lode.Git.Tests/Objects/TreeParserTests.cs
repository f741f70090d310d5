using System.Text;
using Lode.Git.Objects;
using Lode.TestKit;

namespace Lode.Git.Tests.Objects;

public sealed class TreeParserTests
{
    public static TheoryData<string> Formats => new() { "sha1", "sha256" };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Parse_TreeWithEveryKind_MatchesLsTree(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var submoduleCommit = await repo.CommitAsync(branch: "");
        var tree = await repo.WriteTreeAsync(new Dictionary<string, object>
        {
            ["README.md"] = "hello\n",
            ["run.sh"] = new TreeFile("#!/bin/sh\n"u8.ToArray(), Mode: "100755"),
            ["link"] = new TreeFile("README.md"u8.ToArray(), Mode: "120000"),
            ["vendor/lib"] = new TreeFile(Mode: "160000", Oid: submoduleCommit),
            ["dir/sub/deep.txt"] = "deep\n",
            ["latin1"] = new TreeFile("x"u8.ToArray(), RawPath: [(byte)'f', 0xff, 0xfe, (byte)'.', (byte)'c']),
            ["with space.txt"] = "spaces\n",
        });

        var entries = TreeParser.Parse(await GitObjects.RawAsync(repo, "tree", tree), ObjectFormat.FromName(format)!);
        var expected = await LsTreeAsync(repo, tree);

        Assert.Equal(expected.Count, entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var (mode, type, oid, name) = expected[i];
            Assert.Equal(mode, Convert.ToString(entries[i].Mode, 8).PadLeft(6, '0'));
            Assert.Equal(type, entries[i].ObjectType);
            Assert.Equal(oid, entries[i].ObjectId);
            Assert.Equal(name, entries[i].Name);
        }

        Assert.Equal(TreeEntryKind.Symlink, Find(entries, "link").Kind);
        Assert.Equal(TreeEntryKind.Executable, Find(entries, "run.sh").Kind);
        Assert.Equal(TreeEntryKind.Blob, Find(entries, "README.md").Kind);
        Assert.Equal(TreeEntryKind.Tree, Find(entries, "dir").Kind);
        Assert.Equal("40000"u8.ToArray(), Find(entries, "dir").ModeBytes.ToArray());
        Assert.Equal(TreeEntryKind.Tree, Find(entries, "vendor").Kind);
        Assert.Contains(entries, e => e.Name.SequenceEqual(new byte[] { (byte)'f', 0xff, 0xfe, (byte)'.', (byte)'c' }));

        var vendor = TreeParser.Parse(await GitObjects.RawAsync(repo, "tree", Find(entries, "vendor").ObjectId), ObjectFormat.FromName(format)!);
        var submodule = Assert.Single(vendor);
        Assert.Equal(TreeEntryKind.Submodule, submodule.Kind);
        Assert.Equal("commit", submodule.ObjectType);
        Assert.Equal(submoduleCommit, submodule.ObjectId);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Enumerate_RawEntries_AgreeWithParse(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var tree = await repo.WriteTreeAsync(new Dictionary<string, object> { ["a"] = "1", ["b/c"] = "2", ["d"] = "3" });
        var raw = await GitObjects.RawAsync(repo, "tree", tree);
        var objectFormat = ObjectFormat.FromName(format)!;

        var parsed = TreeParser.Parse(raw, objectFormat);
        var count = 0;
        foreach (var entry in TreeParser.Enumerate(raw, objectFormat))
        {
            Assert.Equal(parsed[count].ObjectId, entry.ObjectIdHex);
            Assert.Equal(parsed[count].Name, entry.Name.ToArray());
            Assert.Equal(objectFormat.RawLength, entry.RawObjectId.Length);
            count++;
        }

        Assert.Equal(3, count);
    }

    [Fact]
    public void TryParse_TruncatedTree_ReturnsEntriesBeforeTheBreak()
    {
        var oid = new byte[20];
        var raw = Encoding.ASCII.GetBytes("100644 a\0").Concat(oid).Concat(Encoding.ASCII.GetBytes("100644 b\0")).Concat(oid).ToArray();

        for (var i = 0; i < raw.Length; i++)
        {
            var ok = TreeParser.TryParse(raw.AsSpan(0, i), ObjectFormat.Sha1, out var entries);
            Assert.Equal(i == 0 || i == 29, ok);
            Assert.Equal(i < 29 ? 0 : 1, entries.Count);
        }

        Assert.True(TreeParser.TryParse(raw, ObjectFormat.Sha1, out var all));
        Assert.Equal(2, all.Count);
        Assert.False(TreeParser.TryParse("10x644 a\0"u8.ToArray().Concat(oid).ToArray(), ObjectFormat.Sha1, out _));
        Assert.False(TreeParser.TryParse(" a\0"u8.ToArray().Concat(oid).ToArray(), ObjectFormat.Sha1, out _));
        // A SHA-1 tree read as SHA-256 is malformed, not an exception.
        Assert.False(TreeParser.TryParse(raw, ObjectFormat.Sha256, out _));
    }

    [Theory]
    [InlineData(0x81A4, TreeEntryKind.Blob)]
    [InlineData(0x81ED, TreeEntryKind.Executable)]
    [InlineData(0x81B4, TreeEntryKind.Blob)]
    [InlineData(0xA000, TreeEntryKind.Symlink)]
    [InlineData(0x4000, TreeEntryKind.Tree)]
    [InlineData(0xE000, TreeEntryKind.Submodule)]
    [InlineData(0x1000, TreeEntryKind.Unknown)]
    public void KindOf_Mode_MatchesGitCanonMode(int mode, TreeEntryKind kind)
    {
        Assert.Equal(kind, TreeParser.KindOf(mode));
    }

    private static TreeEntry Find(List<TreeEntry> entries, string name) =>
        entries.Single(e => e.Name.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(name)));

    private static async Task<List<(string Mode, string Type, string Oid, byte[] Name)>> LsTreeAsync(TestRepo repo, string tree)
    {
        var output = await repo.GitBytesAsync(["ls-tree", "-z", tree]);
        var result = new List<(string, string, string, byte[])>();
        var start = 0;
        for (var i = 0; i < output.Length; i++)
        {
            if (output[i] != 0)
            {
                continue;
            }

            var record = output.AsSpan(start, i - start);
            var tab = record.IndexOf((byte)'\t');
            var meta = Encoding.ASCII.GetString(record[..tab]).Split(' ');
            result.Add((meta[0], meta[1], meta[2], record[(tab + 1)..].ToArray()));
            start = i + 1;
        }

        return result;
    }
}
