using Lode.Git.Advertisement;

namespace Lode.Git.Tests.Advertisement;

public sealed class AdvertisementConfigTests
{
    [Theory]
    [InlineData("core.bare", true)]
    [InlineData("CORE.FileMode", true)]
    [InlineData("remote.origin.url", true)]
    [InlineData("receive.maxInputSize", true)]
    [InlineData("receive.fsck.badTimezone", true)]
    [InlineData("transfer.fsckObjects", true)]
    [InlineData("extensions.objectFormat", true)]
    [InlineData("gitlab.fullpath", true)]
    [InlineData("core.alternateRefsCommand", false)]
    [InlineData("core.alternateRefsPrefixes", false)]
    [InlineData("receive.hideRefs", false)]
    [InlineData("receive.advertiseAtomic", false)]
    [InlineData("receive.advertisePushOptions", false)]
    [InlineData("receive.certNonceSeed", false)]
    [InlineData("transfer.hideRefs", false)]
    [InlineData("transfer.advertiseSID", false)]
    [InlineData("extensions.refStorage", false)]
    [InlineData("extensions.worktreeConfig", false)]
    [InlineData("include.path", false)]
    [InlineData("includeIf.gitdir:/x.path", false)]
    [InlineData("core.receive.fsckObjects", false)]
    [InlineData("nosection", false)]
    public void Allows_Key(string key, bool expected)
    {
        Assert.Equal(expected, AdvertisementConfig.Allows([key]));
    }
}
