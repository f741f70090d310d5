using System.Text;
using Lode.Git.Objects;

namespace Lode.Git.Tests.Objects;

public sealed class GitPathTests
{
    [Theory]
    [InlineData("", ".")]
    [InlineData("a/b/../c", "a/c")]
    [InlineData("./a//b/", "a/b")]
    [InlineData("../../a", "../../a")]
    [InlineData("/../a", "/a")]
    [InlineData("a/..", ".")]
    [InlineData("a..b/./c", "a..b/c")]
    public void Clean_AsGo(string path, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(GitPath.Clean(Encoding.UTF8.GetBytes(path))));

    [Theory]
    [InlineData("a/b", ".", "a")]
    [InlineData("file", ".", ".")]
    [InlineData("a/b/", "a/b", "a/b")]
    public void Dir_AsGo(string path, string unused, string expected)
    {
        _ = unused;
        Assert.Equal(expected, Encoding.UTF8.GetString(GitPath.Dir(Encoding.UTF8.GetBytes(path))));
    }

    [Theory]
    [InlineData("", "b", "b")]
    [InlineData("a", "", "a")]
    [InlineData("a/", "./b", "a/b")]
    [InlineData("", "", "")]
    public void Join_AsGo(string first, string second, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(GitPath.Join(Encoding.UTF8.GetBytes(first), Encoding.UTF8.GetBytes(second))));

    [Theory]
    [InlineData("a/b", true)]
    [InlineData("foo/../path", true)]
    [InlineData(".", true)]
    [InlineData("", false)]
    [InlineData("/abs", false)]
    [InlineData("a/../../b", false)]
    [InlineData("..", false)]
    public void IsLocal_AsGo(string path, bool expected) => Assert.Equal(expected, GitPath.IsLocal(Encoding.UTF8.GetBytes(path)));
}
