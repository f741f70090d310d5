using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Hook;

public sealed class UpdateHookTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task UpdateHook_CustomHooks_GetRefAndIdsAsArguments(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var oldOid = await repo.CommitAsync();
        var newOid = await repo.CommitAsync();
        var log = server.Root.Combine("update-" + Guid.NewGuid().ToString("N"));
        HookCalls.WriteHook(Path.Combine(repo.Path, "custom_hooks", "update"), $"#!/bin/sh\necho \"$@\" > '{log}'\necho checked\n");
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.UpdateAsync(server, proto, HookCalls.Environment(server, proto, objectFormat: format), "refs/heads/main", oldOid, newOid);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("checked\n", result.Stdout);
        Assert.Equal($"refs/heads/main {oldOid} {newOid}\n", await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task UpdateHook_CustomHookFails_ItsExitCodeAndStderr()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        HookCalls.WriteHook(Path.Combine(repo.Path, "custom_hooks", "update.d", "protect"), "#!/bin/sh\necho \"refusing $1\" >&2\nexit 7\n");
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.UpdateAsync(server, proto, HookCalls.Environment(server, proto), "refs/heads/main", oid, repo.ZeroOid);

        Assert.Equal(7, result.ExitCode);
        Assert.Equal("refusing refs/heads/main\n", result.Stderr);
    }

    [Fact]
    public async Task UpdateHook_NoCustomHooks_ExitZeroInOneMessage()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.UpdateAsync(server, proto, HookCalls.Environment(server, proto), "refs/heads/main", repo.ZeroOid, oid);

        Assert.Equal(new HookResult("", "", 0, 1), result);
    }

    [Theory]
    [InlineData("", "0000000000000000000000000000000000000000", "hook got no reference")]
    [InlineData("refs/heads/main", "xyz", "hook got invalid old value: invalid object ID: \"xyz\"")]
    public async Task UpdateHook_InvalidInput_Internal(string reference, string oldValue, string message)
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);

        var e = await Assert.ThrowsAsync<RpcException>(() => HookCalls.UpdateAsync(server, proto, HookCalls.Environment(server, proto), reference, oldValue, oid));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task UpdateHook_RepositoryNotSet_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => HookCalls.UpdateAsync(server, new Gitaly.Repository(), [], "refs/heads/main", "", ""));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("repository not set", e.Status.Detail);
    }
}
