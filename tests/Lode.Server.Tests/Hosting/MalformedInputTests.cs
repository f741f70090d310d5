using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Hosting;

/// <summary>Garbage, oversized and truncated requests get a clear error and the server keeps serving.</summary>
public sealed class MalformedInputTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly Method<byte[], byte[]> RawRepositoryExists = new(MethodType.Unary, "gitaly.RepositoryService", "RepositoryExists",
        Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

    public static TheoryData<string, byte[]> Garbage() => new()
    {
        { "invalid wire type", [0x0f, 0xff, 0xff] },
        { "truncated length-delimited field", [0x0a, 0x50, 0x12, 0x03] },
        { "truncated varint", [0x08, 0xff, 0xff, 0xff] },
        { "nested garbage", [0x0a, 0x03, 0xff, 0xff, 0xff] },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task RepositoryExists_GarbageBytes_ErrorAndServerStillServes(string name, byte[] body)
    {
        var before = Snapshot();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Invoker.AsyncUnaryCall(RawRepositoryExists, null, new CallOptions(), body));

        Assert.True(e.StatusCode is StatusCode.Internal or StatusCode.InvalidArgument, $"{name}: {e.StatusCode}");
        Assert.DoesNotContain("   at ", e.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(await server.Server.ServerInfoAsync(new ServerInfoRequest()));
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task CreateRepository_MessageOver4MiB_ResourceExhaustedAndNothingCreated()
    {
        var path = "@hashed/" + new string('a', 5 * 1024 * 1024) + ".git";

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Repository.CreateRepositoryAsync(new()
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = path },
        }));

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.NotNull(await server.Server.ServerInfoAsync(new ServerInfoRequest()));
    }

    [Fact]
    public async Task CreateRepository_PathComponentTooLong_ErrorNotCrash()
    {
        var path = new string('b', 300) + ".git";

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Repository.CreateRepositoryAsync(new()
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = path },
        }));

        Assert.NotEqual(StatusCode.OK, e.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(server.StoragePath, path)));
    }

    [Fact]
    public async Task RepositoryExists_NulByteInPath_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Repository.RepositoryExistsAsync(new()
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "a\0b.git" },
        }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private string Snapshot() => string.Join('\n', Directory.EnumerateFileSystemEntries(server.StoragePath, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
}
