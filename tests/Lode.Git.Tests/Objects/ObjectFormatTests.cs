using Lode.Git.Objects;

namespace Lode.Git.Tests.Objects;

public sealed class ObjectFormatTests
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task Constants_EmptyObjects_MatchGit(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var objectFormat = ObjectFormat.FromName(format)!;

        var emptyTree = System.Text.Encoding.ASCII.GetString(await repo.GitBytesAsync(["mktree"], [])).Trim();
        var emptyBlob = System.Text.Encoding.ASCII.GetString(await repo.GitBytesAsync(["hash-object", "--stdin"], [])).Trim();

        Assert.Equal(emptyTree, objectFormat.EmptyTreeOid);
        Assert.Equal(emptyBlob, objectFormat.EmptyBlobOid);
        Assert.Equal(emptyTree.Length, objectFormat.HexLength);
        Assert.Equal(objectFormat.HexLength / 2, objectFormat.RawLength);
        Assert.Equal(new string('0', objectFormat.HexLength), objectFormat.ZeroOid);
        Assert.True(objectFormat.IsZeroOid(objectFormat.ZeroOid));
        Assert.Same(objectFormat, ObjectFormat.FromHexLength(emptyTree.Length));
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task DetectAsync_Repository_ReturnsItsFormat(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);

        var detected = await ObjectFormat.DetectAsync(git.Factory, git.Paths(repo), git.Token);

        Assert.Equal(format, detected.Name);
        git.AssertNoLeakedProcesses();
    }

    [Theory]
    [InlineData("4b825dc642cb6eb9a060e54bf8d69288fbee4904", true)]
    [InlineData("4B825DC642CB6EB9A060E54BF8D69288FBEE4904", true)]
    [InlineData("4b825dc642cb6eb9a060e54bf8d69288fbee490", false)]
    [InlineData("4b825dc642cb6eb9a060e54bf8d69288fbee49044", false)]
    [InlineData("4b825dc642cb6eb9a060e54bf8d69288fbee490g", false)]
    [InlineData("", false)]
    public void IsValidHex_Sha1Candidates_ReportsValidity(string hex, bool valid)
    {
        Assert.Equal(valid, ObjectFormat.Sha1.IsValidHex(hex));
        Assert.Equal(valid, ObjectFormat.Sha1.IsValidHex(System.Text.Encoding.ASCII.GetBytes(hex)));
        Assert.False(ObjectFormat.Sha256.IsValidHex(hex));
    }

    [Fact]
    public void FromName_UnknownName_ReturnsNull()
    {
        Assert.Null(ObjectFormat.FromName("md5"));
        Assert.Null(ObjectFormat.FromHexLength(32));
        Assert.Same(ObjectFormat.Sha256, ObjectFormat.FromName("sha256"));
    }
}
