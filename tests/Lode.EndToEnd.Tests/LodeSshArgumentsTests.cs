using Lode.Host.Cli;

namespace Lode.EndToEnd.Tests;

public sealed class LodeSshArgumentsTests
{
    [Theory]
    [InlineData(new[] { "upload-pack", "ignored-host", "git-upload-pack '/group/p.git'" }, "upload-pack", "/group/p.git")]
    [InlineData(new[] { "receive-pack", "host" }, "receive-pack", "")]
    [InlineData(new[] { "-o", "SendEnv=GIT_PROTOCOL", "-p", "2222", "host", "git-upload-archive '/a/b.git'" }, "upload-archive", "/a/b.git")]
    [InlineData(new[] { "-4", "host", "git", "receive-pack", "'/x.git'" }, "receive-pack", "/x.git")]
    [InlineData(new[] { "host", "git-upload-pack '/it'\\''s.git'" }, "upload-pack", "/it's.git")]
    [InlineData(new[] { "-p2222", "--", "host", "git-upload-pack \"/q.git\"" }, "upload-pack", "/q.git")]
    public void Parse_GitInvocations_ServiceAndPath(string[] args, string service, string path)
    {
        var invocation = SshCommand.Parse(args);

        Assert.False(invocation.Probe);
        Assert.Equal(service, invocation.Service);
        Assert.Equal(path, invocation.Path);
    }

    [Theory]
    [InlineData("-G", "host")]
    [InlineData("-o", "SendEnv=GIT_PROTOCOL", "-G", "host")]
    public void Parse_OpenSshProbe_IsAProbe(params string[] args)
    {
        Assert.True(SshCommand.Parse(args).Probe);
    }

    [Theory]
    [InlineData("host", "rm -rf /")]
    [InlineData("host", "git-upload-pack 'unterminated")]
    [InlineData("-o")]
    public void Parse_NotAGitTransportCommand_Refused(params string[] args)
    {
        Assert.Throws<FormatException>(() => SshCommand.Parse(args));
    }
}
