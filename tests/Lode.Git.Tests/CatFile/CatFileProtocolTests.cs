using System.Buffers;
using System.Text;
using Lode.Core.Errors;
using Lode.Git.CatFile;

namespace Lode.Git.Tests.CatFile;

/// <summary>
/// The header grammar in both delimiter modes. git 2.39 here only speaks LF output, so the NUL (-Z, git ≥ 2.42)
/// form is checked on crafted bytes.
/// </summary>
public sealed class CatFileProtocolTests
{
    [Theory]
    [InlineData((byte)'\n')]
    [InlineData((byte)0)]
    public void TryReadHeader_FoundThenMissingThenAmbiguous_ParsesEachAndSlices(byte delimiter)
    {
        var d = (char)delimiter;
        var text = $"4b825dc642cb6eb9a060e54bf8d69288fbee4904 tree 0{d}HEAD:dir with space/x missing{d}abcd ambiguous{d}trailing";
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text));

        Assert.True(CatFileProtocol.TryReadHeader(ref buffer, delimiter, out var found));
        Assert.True(CatFileProtocol.TryReadHeader(ref buffer, delimiter, out var missing));
        Assert.True(CatFileProtocol.TryReadHeader(ref buffer, delimiter, out var ambiguous));
        Assert.False(CatFileProtocol.TryReadHeader(ref buffer, delimiter, out _));

        Assert.Equal(new ObjectInfo("4b825dc642cb6eb9a060e54bf8d69288fbee4904", "tree", 0), found.Info);
        Assert.Equal(CatFileHeaderStatus.Missing, missing.Status);
        Assert.Null(missing.Info);
        Assert.Equal(CatFileHeaderStatus.Ambiguous, ambiguous.Status);
        Assert.Equal("trailing"u8.ToArray(), buffer.ToArray());
    }

    [Fact]
    public void ParseHeader_NulOutputRevisionWithNewline_IsMissing()
    {
        // With -Z a revision may contain LF; the echoed name then spans lines but the header does not.
        var header = CatFileProtocol.ParseHeader("HEAD:a\nb missing"u8);

        Assert.Equal(CatFileHeaderStatus.Missing, header.Status);
    }

    [Fact]
    public void ParseHeader_Sha256_ParsesSize()
    {
        var oid = new string('a', 64);

        var header = CatFileProtocol.ParseHeader(Encoding.ASCII.GetBytes(oid + " blob 12345678901"));

        Assert.Equal(new ObjectInfo(oid, "blob", 12345678901), header.Info);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("4b825dc642cb6eb9a060e54bf8d69288fbee4904 tree")]
    [InlineData("4b825dc642cb6eb9a060e54bf8d69288fbee4904 tree -1")]
    [InlineData("4b825dc642cb6eb9a060e54bf8d69288fbee490 tree 1")]
    [InlineData("4b825dc642cb6eb9a060e54bf8d69288fbee4904 tree 1x")]
    [InlineData("fatal: not a git repository")]
    public void ParseHeader_InvalidLine_ThrowsInternal(string line)
    {
        var error = Assert.Throws<LodeException>(() => CatFileProtocol.ParseHeader(Encoding.UTF8.GetBytes(line)));

        Assert.Equal(ErrorCode.Internal, error.Code);
    }

    [Theory]
    [InlineData("", false, false)]
    [InlineData("HEAD", false, true)]
    [InlineData("HEAD:a\nb", false, false)]
    [InlineData("HEAD:a\nb", true, true)]
    [InlineData("HEAD:a\0b", true, false)]
    public void ValidateRevision_Characters_AcceptedOrInvalidArgument(string revision, bool nulOutput, bool valid)
    {
        var bytes = Encoding.UTF8.GetBytes(revision);

        if (valid)
        {
            CatFileProtocol.ValidateRevision(bytes, nulOutput);
        }
        else
        {
            var error = Assert.Throws<LodeException>(() => CatFileProtocol.ValidateRevision(bytes, nulOutput));
            Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        }
    }
}
