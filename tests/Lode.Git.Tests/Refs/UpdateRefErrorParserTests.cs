using System.Text;
using Lode.Git.Refs;

namespace Lode.Git.Tests.Refs;

public sealed class UpdateRefErrorParserTests
{
    [Fact]
    public void Parse_LockedRefAfterHookOutput_ReferenceLocked()
    {
        const string stderr = "hook says hello\nfatal: prepare: cannot lock ref 'refs/heads/x': Unable to create '/r/./refs/heads/x.lock': File exists.\n\n" +
            "Another git process seems to be running in this repository, e.g.\nan editor opened by 'git commit'.\n";

        var e = UpdateRefErrorParser.Parse(stderr, []);

        Assert.NotNull(e);
        Assert.Equal(RefTransactionErrorKind.ReferenceLocked, e.Kind);
        Assert.Equal("refs/heads/x", e.ReferenceNameText);
    }

    [Fact]
    public void Parse_NamesMappedBackToSentBytes()
    {
        byte[] sent = [.. "refs/heads/caf"u8.ToArray(), 0xe9];
        var stderr = "fatal: commit: cannot lock ref '" + Encoding.UTF8.GetString(sent) + "': is at " + new string('a', 40) + " but expected " + new string('b', 40) + "\n";

        var e = UpdateRefErrorParser.Parse(stderr, [sent]);

        Assert.NotNull(e);
        Assert.Equal(RefTransactionErrorKind.MismatchingState, e.Kind);
        Assert.Equal(sent, e.ReferenceName);
        Assert.Equal(new string('a', 40), e.ActualObjectId);
        Assert.Equal(new string('b', 40), e.ExpectedObjectId);
    }

    [Theory]
    [InlineData("fatal: prepare: Unable to create '/r/./packed-refs.lock': File exists.\n", RefTransactionErrorKind.PackedRefsLocked)]
    [InlineData("fatal: invalid ref format: refs/heads/a..b\n", RefTransactionErrorKind.InvalidFormat)]
    [InlineData("fatal: prepare: cannot lock ref 'refs/heads/main': reference already exists\n", RefTransactionErrorKind.ReferenceAlreadyExists)]
    [InlineData("fatal: prepare: multiple updates for ref 'refs/heads/q' not allowed\n", RefTransactionErrorKind.MultipleUpdates)]
    [InlineData("fatal: prepare: cannot lock ref 'refs/heads/nope': unable to resolve reference 'refs/heads/nope'\n", null)]
    [InlineData("", null)]
    public void Parse_Messages_Kinds(string stderr, RefTransactionErrorKind? expected) =>
        Assert.Equal(expected, UpdateRefErrorParser.Parse(stderr, [])?.Kind);
}
