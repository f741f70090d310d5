using System.Text;
using Lode.Git.Objects;

namespace Lode.Git.Tests.Objects;

public sealed class LfsPointerTests
{
    private const string Oid = "91eff75a492a3ed0dfcb544d7f31326bc4014c8551849c192fd1e48d4dd2c897";

    [Theory]
    [InlineData("version https://git-lfs.github.com/spec/v1\noid sha256:" + Oid + "\nsize 1575078\n", 1575078)]
    [InlineData("version https://git-lfs.github.com/spec/v1\noid sha256:" + Oid + "\nsize 12", 12)]
    [InlineData("version https://git-lfs.github.com/spec/v1\nsize 7\next-0-foo bar\noid sha256:" + Oid + "\n\n", 7)]
    [InlineData("version https://git-lfs.github.com/specification\noid sha256:" + Oid + "\nsize 0\n", 0)]
    [InlineData("version https://git-lfs.github.com/spec/v1\nsize x\nsize 5\noid sha256:" + Oid + "\n", 5)]
    public void TryParse_Pointer_OidAndSize(string text, long size)
    {
        Assert.True(LfsPointer.TryParse(Encoding.ASCII.GetBytes(text), out var oid, out var fileSize));
        Assert.Equal(Oid, Encoding.ASCII.GetString(oid));
        Assert.Equal(size, fileSize);
    }

    [Theory]
    [InlineData("")]
    [InlineData("oid sha256:" + Oid + "\nsize 1\n")]
    [InlineData(" version https://git-lfs.github.com/spec/v1\noid sha256:" + Oid + "\nsize 1\n")]
    [InlineData("version https://git-lfs.github.com/spec/v1\r\noid sha256:" + Oid + "\r\nsize 1\r\n")]
    [InlineData("version https://git-lfs.github.com/spec/v1\noid sha256:" + Oid + "0\nsize 1\n")]
    [InlineData("version https://git-lfs.github.com/spec/v1\noid sha256: " + Oid + "\nsize 1\n")]
    [InlineData("version https://git-lfs.github.com/spec/v1\noid sha1:" + Oid + "\nsize 1\n")]
    [InlineData("version https://git-lfs.github.com/spec/v1\noid sha256:" + Oid + "\nsize -1\n")]
    [InlineData("version https://git-lfs.github.com/spec/v1\noid sha256:" + Oid + "\nsize \n")]
    [InlineData("version https://git-lfs.github.com/spec/v1\noid sha256:" + Oid + "\nsize 9223372036854775808\n")]
    [InlineData("version https://git-lfs.github.com/spec/v1\noid sha256:" + Oid + "\n")]
    public void TryParse_NotAPointer_False(string text)
    {
        Assert.False(LfsPointer.TryParse(Encoding.ASCII.GetBytes(text), out _, out _));
    }

    [Fact]
    public void TryParse_FirstMatchingLineCounts()
    {
        var text = "version https://git-lfs.github.com/spec/v1\noid sha256:" + Oid + "\noid sha256:" + new string('0', 64) + "\nsize 99999999999999999999\nsize 1\n";

        Assert.False(LfsPointer.TryParse(Encoding.ASCII.GetBytes(text), out _, out _));
    }
}
