using System.Text;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.TestKit;

namespace Lode.Git.Tests.Refs;

public sealed class ReferenceValidatorTests
{
    [Theory]
    [InlineData("refs/heads/main", null)]
    [InlineData("refs/heads/feature/x-1.2", null)]
    [InlineData("HEAD", "HEAD reference not allowed")]
    [InlineData("main", "reference is not fully qualified")]
    [InlineData("refs/", "refs/ is not a valid reference")]
    [InlineData("refs/heads/", "reference must not end with slash")]
    [InlineData("refs/heads/x.", "reference must not end with dot")]
    [InlineData("refs/heads/a@{1}", "reference must not contain @{")]
    [InlineData("refs/heads/a..b", "reference must not contain double dots")]
    [InlineData("refs/heads/a b", "reference must not contain space characters")]
    [InlineData("refs/heads/a\tb", "reference must not contain space characters")]
    [InlineData("refs/heads/a:b", "reference must not contain special characters")]
    [InlineData("refs/heads/a*", "reference must not contain special characters")]
    [InlineData("refs/heads/a\u007fb", "reference must not contain special characters")]
    [InlineData("refs/heads/a\u0001b", "reference must not contain control characters")]
    [InlineData("refs/heads//a", "empty component is not allowed")]
    [InlineData("refs/heads/.a", "component must not start with dot")]
    [InlineData("refs/heads/a.lock", "component must not end with .lock")]
    [InlineData("refs/heads/a.lock/b", "component must not end with .lock")]
    public void Check_Names_GitalyMessages(string name, string? expected) =>
        Assert.Equal(expected, ReferenceValidator.Check(Encoding.UTF8.GetBytes(name)));

    [Fact]
    public async Task Check_AcceptedNames_GitAcceptsThemToo()
    {
        await using var git = await GitHarness.CreateAsync();
        foreach (var name in new[] { "refs/heads/main", "refs/a/b-c_d", "refs/heads/ü", "refs/heads/a@b", "refs/heads/a.b/c", "refs/heads/@" })
        {
            Assert.Null(ReferenceValidator.Check(Encoding.UTF8.GetBytes(name)));
            await GitCli.RunBytesAsync(null, ["check-ref-format", name]);
        }
    }

    [Theory]
    [InlineData("4b825dc642cb6eb9a060e54bf8d69288fbee4904", null)]
    [InlineData("abc", "invalid object ID: \"abc\", expected length 40, got 3")]
    [InlineData("4B825DC642CB6EB9A060E54BF8D69288FBEE4904", "invalid object ID: \"4B825DC642CB6EB9A060E54BF8D69288FBEE4904\", invalid character 'B'")]
    [InlineData("4b825dc642cb6eb9a060e54bf8d69288fbee490\n", "invalid object ID: \"4b825dc642cb6eb9a060e54bf8d69288fbee490\\n\", invalid character '\\n'")]
    [InlineData("é", "invalid object ID: \"é\", expected length 40, got 2")]
    public void ObjectIdValidator_Sha1_GitalyMessages(string hex, string? expected) =>
        Assert.Equal(expected, ObjectIdValidator.Check(ObjectFormat.Sha1, hex));

    [Fact]
    public void ObjectIdValidator_InvalidUtf8_QuotedAsGo() =>
        Assert.Equal("invalid object ID: \"\\xff\", expected length 64, got 1", ObjectIdValidator.Check(ObjectFormat.Sha256, [0xff]));
}
