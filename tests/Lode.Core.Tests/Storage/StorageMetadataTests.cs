using System.Text.Json;
using Lode.Core.Storage;

namespace Lode.Core.Tests.Storage;

public sealed class StorageMetadataTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void EnsureFilesystemId_NoFile_CreatesGitalyMetadataWithUuid()
    {
        var storage = temp.Dir("storage");

        var id = StorageMetadata.EnsureFilesystemId(storage);

        Assert.True(Guid.TryParse(id, out _));
        var path = Path.Combine(storage, ".gitaly-metadata");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(id, json.RootElement.GetProperty("gitaly_filesystem_id").GetString());
        Assert.Single(json.RootElement.EnumerateObject());
        Assert.Equal([".gitaly-metadata"], Directory.GetFileSystemEntries(storage).Select(Path.GetFileName));
    }

    [Fact]
    public void EnsureFilesystemId_CalledTwice_SameIdAndFileUnchanged()
    {
        var storage = temp.Dir("storage");
        var first = StorageMetadata.EnsureFilesystemId(storage);
        var content = File.ReadAllText(Path.Combine(storage, ".gitaly-metadata"));

        var second = StorageMetadata.EnsureFilesystemId(storage);

        Assert.Equal(first, second);
        Assert.Equal(content, File.ReadAllText(Path.Combine(storage, ".gitaly-metadata")));
    }

    [Fact]
    public void EnsureFilesystemId_ExistingFile_ReadsIt()
    {
        var storage = temp.Dir("storage");
        const string existing = """{"gitaly_filesystem_id":"0c5c4b1e-6e44-4d2a-9f0b-3a1f7c9e2d11"}""";
        File.WriteAllText(Path.Combine(storage, ".gitaly-metadata"), existing);

        var id = StorageMetadata.EnsureFilesystemId(storage);

        Assert.Equal("0c5c4b1e-6e44-4d2a-9f0b-3a1f7c9e2d11", id);
        Assert.Equal(existing, File.ReadAllText(Path.Combine(storage, ".gitaly-metadata")));
    }

    [Fact]
    public void EnsureFilesystemId_ManyCallersAtOnce_AllGetTheStoredId()
    {
        var storage = temp.Dir("storage");
        var ids = new string[16];

        Parallel.For(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = ids.Length }, i => ids[i] = StorageMetadata.EnsureFilesystemId(storage));

        var stored = StorageMetadata.TryRead(Path.Combine(storage, ".gitaly-metadata"));
        Assert.NotNull(stored);
        Assert.All(ids, id => Assert.Equal(stored, id));
        Assert.Equal([".gitaly-metadata"], Directory.GetFileSystemEntries(storage).Select(Path.GetFileName));
    }

    [Fact]
    public void EnsureFilesystemId_MissingStorage_Throws()
    {
        Assert.ThrowsAny<IOException>(() => StorageMetadata.EnsureFilesystemId(temp.Combine("missing")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"gitaly_filesystem_id\":5}")]
    public void TryRead_Unusable_ReturnsNull(string content)
    {
        var path = temp.File(".gitaly-metadata", content);

        Assert.Null(StorageMetadata.TryRead(path));
    }

    [Fact]
    public void TryRead_MissingFile_ReturnsNull() => Assert.Null(StorageMetadata.TryRead(temp.Combine("none")));
}
