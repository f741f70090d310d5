using System.Text;
using Lode.Git.Objects;

namespace Lode.Git.Tests.Objects;

public sealed class TreePathTests
{
    [Theory]
    [InlineData("", ".")]
    [InlineData(".", ".")]
    [InlineData("a/b", "a/b")]
    [InlineData("a//b/", "a/b")]
    [InlineData("./a/./b/.", "a/b")]
    [InlineData("a/../b", "b")]
    [InlineData("a/../..", "..")]
    [InlineData("../a", "../a")]
    [InlineData("/../a", "/a")]
    [InlineData("/", "/")]
    [InlineData("//a//", "/a")]
    public void Clean_AsGoPathClean(string path, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(TreePath.Clean(Encoding.UTF8.GetBytes(path))));
    }

    [Theory]
    [InlineData("a/b", "a")]
    [InlineData("a", ".")]
    [InlineData("", ".")]
    [InlineData("a/b/", "a/b")]
    [InlineData("/a", "/")]
    [InlineData("a//b", "a")]
    public void Dir_AsGoPathDir(string path, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(TreePath.Dir(Encoding.UTF8.GetBytes(path))));
    }

    [Theory]
    [InlineData("", ".")]
    [InlineData("files", "files")]
    [InlineData("files/", "files")]
    [InlineData("/files", "files")]
    [InlineData("a/../files", "files")]
    [InlineData("../repo.git/files", "files")]
    [InlineData("..", null)]
    [InlineData("../../foo", null)]
    [InlineData("../other.git", null)]
    [InlineData("../repo.gitx", null)]
    public void ResolveRelative_AsGitalyValidateRelativePath(string path, string? expected)
    {
        var resolved = TreePath.ResolveRelative("/storage/repo.git"u8, Encoding.UTF8.GetBytes(path));

        Assert.Equal(expected, resolved is null ? null : Encoding.UTF8.GetString(resolved));
    }
}
