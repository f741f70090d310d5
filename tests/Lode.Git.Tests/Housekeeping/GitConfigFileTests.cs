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
}
