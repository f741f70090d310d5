using Lode.Git.Housekeeping;

namespace Lode.Git.Tests.Housekeeping;

public sealed class ObjectPoolPathTests
{
    private const string Hash = "2c624232cdd221771294dfbb310aca000a0df6ac8b66b696d90ef06fdefb64a3";

    [Theory]
    [InlineData("@pools/2c/62/" + Hash + ".git", true)]
    [InlineData("@cluster/pools/6b/86/1", true)]
    [InlineData("@cluster/pools/anything", true)]
    [InlineData("@pools/2c/63/" + Hash + ".git", false)] // second pair does not match the hash
    [InlineData("@pools/3c/62/" + Hash + ".git", false)] // first pair does not match the hash
    [InlineData("@pools/2c/62/" + Hash, false)] // no .git suffix
    [InlineData("@pools/2c/62/" + Hash + ".git/", false)]
    [InlineData("@pools/2C/62/" + Hash + ".git", false)] // Rails only writes lower case
    [InlineData("@hashed/2c/62/" + Hash + ".git", false)]
    [InlineData("x/@pools/2c/62/" + Hash + ".git", false)]
    [InlineData("@cluster/repositories/6b/86/1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsPoolPath_RelativePath_MatchesGitalyLayout(string? relativePath, bool expected)
    {
        Assert.Equal(expected, ObjectPoolPath.IsPoolPath(relativePath));
    }

    [Fact]
    public void IsPoolPath_TrailingNewline_IsRejected()
    {
        Assert.False(ObjectPoolPath.IsPoolPath("@pools/2c/62/" + Hash + ".git\n"));
    }
}
