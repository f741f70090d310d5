using Lode.Git.Housekeeping;
using Lode.TestKit;

namespace Lode.Git.Tests.Housekeeping;

public sealed class DirectorySizeTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Bytes_NestedFiles_SumsRegularFileSizes()
    {
        var root = Directory.CreateDirectory(temp.Combine("root")).FullName;
        File.WriteAllBytes(Path.Combine(root, "a"), new byte[100]);
        Directory.CreateDirectory(Path.Combine(root, "b", "c"));
        File.WriteAllBytes(Path.Combine(root, "b", "c", "d"), new byte[2500]);
        File.WriteAllBytes(Path.Combine(root, "b", ".hidden"), new byte[7]);
        File.WriteAllBytes(Path.Combine(root, "empty"), []);

        Assert.Equal(2607, DirectorySize.Bytes(root));
    }

    [Fact]
    public void Bytes_MissingDirectory_ReturnsZero()
    {
        Assert.Equal(0, DirectorySize.Bytes(temp.Combine("does-not-exist")));
    }

    [Fact]
    public void Bytes_SymbolicLinks_AreNeitherFollowedNorCounted()
    {
        var outside = Directory.CreateDirectory(temp.Combine("outside")).FullName;
        File.WriteAllBytes(Path.Combine(outside, "big"), new byte[100_000]);
        var root = Directory.CreateDirectory(temp.Combine("root")).FullName;
        File.WriteAllBytes(Path.Combine(root, "own"), new byte[10]);
        File.CreateSymbolicLink(Path.Combine(root, "file-link"), Path.Combine(outside, "big"));
        Directory.CreateSymbolicLink(Path.Combine(root, "dir-link"), outside);

        Assert.Equal(10, DirectorySize.Bytes(root));
    }

    [Fact]
    public void Bytes_CanceledToken_Throws()
    {
        var root = Directory.CreateDirectory(temp.Combine("root")).FullName;
        File.WriteAllBytes(Path.Combine(root, "a"), new byte[1]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.Throws<OperationCanceledException>(() => DirectorySize.Bytes(root, cts.Token));
    }
}
