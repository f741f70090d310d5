using Lode.TestKit;

namespace Lode.Server.Tests.Services.Hook;

/// <summary>Without <c>[gitlab] url</c> (Lode on its own) every push is allowed and only custom hooks decide.</summary>
public sealed class StandalonePreReceiveHookTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task PreReceiveHook_NoGitlab_AllowedWithoutGitlabFacts()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);
        proto.GlRepository = "";

        var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto, HookCalls.DefaultUser with { UserId = "" }),
            $"{repo.ZeroOid} {oid} refs/heads/main\n");

        Assert.Equal(new HookResult("", "", 0, 1), result);
    }

    [Fact]
    public async Task PreReceiveHook_NoGitlabCustomHookRefuses_ItsExitCode()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        HookCalls.WriteHook(Path.Combine(repo.Path, "custom_hooks", "pre-receive"), "#!/bin/sh\necho no >&2\nexit 9\n");
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto), $"{repo.ZeroOid} {oid} refs/heads/main\n");

        Assert.Equal((9, "no\n"), (result.ExitCode, result.Stderr));
    }

    [Fact]
    public async Task PostReceiveHook_NoGitlab_ExitZeroNoMessages()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.PostReceiveAsync(server, proto, HookCalls.Environment(server, proto), $"{repo.ZeroOid} {oid} refs/heads/main\n");

        Assert.Equal(new HookResult("", "", 0, 1), result);
    }
}
