using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class CreateBundleFromRefListTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task CreateBundleFromRefList_RangePattern_BundleWithPrerequisite(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var first = await repo.CommitAsync(branch: "main");
        var second = await repo.CommitAsync(branch: "main");
        await repo.CommitAsync(branch: "other");

        var bundle = await BundleFile.WriteAsync(await CallAsync(repo, [["main", "^main~1"]]));

        var verify = await GitCli.RunAsync(repo.Path, "bundle", "verify", bundle.Path);
        Assert.Contains($"The bundle contains this ref:\n{second} refs/heads/main", verify, StringComparison.Ordinal);
        Assert.Contains(first, verify, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateBundleFromRefList_PatternsOverSeveralMessages_AllIncluded()
    {
        var repo = await server.CreateRepoAsync();
        var main = await repo.CommitAsync(branch: "main");
        var feature = await repo.CommitAsync(branch: "feature");

        var bundle = await BundleFile.WriteAsync(await CallAsync(repo, [["refs/heads/main"], ["refs/heads/feature"]]));

        var heads = await GitCli.RunAsync(repo.Path, "bundle", "list-heads", bundle.Path);
        Assert.Equal(new[] { $"{feature} refs/heads/feature", $"{main} refs/heads/main" }.Order(StringComparer.Ordinal),
            heads.Split('\n').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CreateBundleFromRefList_MissingReference_Ignored()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");

        var bundle = await BundleFile.WriteAsync(await CallAsync(repo, [["refs/heads/main", "refs/heads/totally_missing"]]));

        Assert.Equal($"{commit} refs/heads/main", await GitCli.RunAsync(repo.Path, "bundle", "list-heads", bundle.Path));
    }

    [Fact]
    public async Task CreateBundleFromRefList_HeaderMessageFirst_AcknowledgedThenBundled()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");

        using var call = server.Repository.CreateBundleFromRefList();
        await call.RequestStream.WriteAsync(new CreateBundleFromRefListRequest { Repository = ServerFixture.Proto(repo) });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(call.ResponseStream.Current.Data.IsEmpty);
        await call.RequestStream.WriteAsync(new CreateBundleFromRefListRequest { Patterns = { ByteString.CopyFromUtf8("refs/heads/main") } });
        await call.RequestStream.CompleteAsync();
        var chunks = new List<byte[]>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            chunks.Add(response.Data.ToByteArray());
        }

        var bundle = await BundleFile.WriteAsync(chunks);
        Assert.Equal($"{commit} refs/heads/main", await GitCli.RunAsync(repo.Path, "bundle", "list-heads", bundle.Path));
    }

    [Fact]
    public async Task CreateBundleFromRefList_NonUtf8ReferenceName_Bundled()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        byte[] name = [.. "refs/heads/caf"u8, 0xe9];
        await repo.GitBytesAsync(["update-ref", "-z", "--stdin"], [.. "update "u8, .. name, 0, .. System.Text.Encoding.ASCII.GetBytes(commit), 0, 0]);

        using var call = server.Repository.CreateBundleFromRefList();
        await call.RequestStream.WriteAsync(new CreateBundleFromRefListRequest
        {
            Repository = ServerFixture.Proto(repo),
            Patterns = { ByteString.CopyFrom(name) },
        });
        await call.RequestStream.CompleteAsync();
        var chunks = new List<byte[]>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            chunks.Add(response.Data.ToByteArray());
        }

        var bundle = await BundleFile.WriteAsync(chunks);
        var heads = await GitCli.RunBytesAsync(repo.Path, ["bundle", "list-heads", bundle.Path]);
        Assert.Equal([.. System.Text.Encoding.ASCII.GetBytes(commit + " "), .. name, (byte)'\n'], heads);
    }

    [Fact]
    public async Task CreateBundleFromRefList_NothingToBundle_FailedPrecondition()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [["main", "^main"]]));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("create bundle: refusing to create empty bundle", e.Status.Detail);
    }

    [Fact]
    public async Task CreateBundleFromRefList_NoRepository_InvalidArgument()
    {
        using var call = server.Repository.CreateBundleFromRefList();
        await call.RequestStream.WriteAsync(new CreateBundleFromRefListRequest { Patterns = { ByteString.CopyFromUtf8("main") } });
        await call.RequestStream.CompleteAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.ReadAllAsync().ToListAsync().AsTask());

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<List<byte[]>> CallAsync(TestRepo repo, string[][] batches)
    {
        using var call = server.Repository.CreateBundleFromRefList();
        foreach (var batch in batches)
        {
            var request = new CreateBundleFromRefListRequest { Repository = ServerFixture.Proto(repo) };
            request.Patterns.AddRange(batch.Select(ByteString.CopyFromUtf8));
            await call.RequestStream.WriteAsync(request);
        }

        await call.RequestStream.CompleteAsync();
        var chunks = new List<byte[]>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            chunks.Add(response.Data.ToByteArray());
        }

        return chunks;
    }
}
