using Lode.Git.Housekeeping;

namespace Lode.Git.Tests.Housekeeping;

public sealed class GitConfigFileTests
{
    [Theory]
    [InlineData("[extensions]\n\trefStorage = reftable\n", "reftable")]
    [InlineData("[Extensions]\n\tREFSTORAGE=files\n", "files")]
    [InlineData("[extensions]\n\trefstorage = \"reftable\" # comment\n", "reftable")]
    [InlineData("[extensions] refstorage = reftable\n", "reftable")]
    [InlineData("[extensions]\n\trefstorage = files\n\trefstorage = reftable\n", "reftable")]
    [InlineData("[core]\n\trefstorage = reftable\n", null)]
    [InlineData("[extensions \"sub\"]\n\trefstorage = reftable\n", null)]
    [InlineData("# [extensions]\n; refstorage = reftable\n", null)]
    [InlineData("", null)]
    public void Find_ConfigText_ReturnsLastValue(string config, string? expected)
    {
        Assert.Equal(expected, GitConfigFile.Find(config.Split('\n'), "extensions", "refStorage"));
    }

    [Theory]
    [InlineData("[core]\n\tbare = true\n\tfilemode\n", "core.bare,core.filemode")]
    [InlineData("[remote \"origin\"]\n\turl = x # c\n[receive.fsck]\n\tbadDate = ignore\n", "remote.origin.url,receive.fsck.badDate")]
    [InlineData("[gc] auto = 0\n; comment\n# comment\n", "gc.auto")]
    [InlineData("", "")]
    public void Keys_ConfigText_EveryKeySet(string config, string expected)
    {
        Assert.Equal(expected, string.Join(',', GitConfigFile.Keys(config.Split('\n'))!));
    }

    [Theory]
    [InlineData("[core]\n\tx = a \\\n\tb\n")]
    [InlineData("bare = true\n")]
    [InlineData("[core\n")]
    [InlineData("[remote \"a\\\"b\"]\n\turl = x\n")]
    [InlineData("[core]\n\t1key = x\n")]
    [InlineData("[core]\n\tkey_x = x\n")]
    public void Keys_SyntaxNotFollowed_Null(string config)
    {
        Assert.Null(GitConfigFile.Keys(config.Split('\n')));
    }
}
