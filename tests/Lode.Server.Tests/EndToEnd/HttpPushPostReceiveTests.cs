using Lode.Server.Tests.Services.Hook;
using Lode.TestKit;
using Lode.TestKit.Fixtures;
using Lode.TestKit.Gitlab;
using Lode.TestKit.Workhorse;

namespace Lode.Server.Tests.EndToEnd;

/// <summary>
/// Real <c>git push</c> over HTTP the way GitLab carries it (Workhorse: InfoRefsReceivePack and PostReceivePack) with
/// GitLab configured. The server does post-receive itself after git exits when all it would do is call GitLab; what
/// the pusher sees, and what GitLab is told, must be what git's post-receive hook gives (the SSH path, which still
/// runs the hook, is the reference).
/// </summary>
public sealed class HttpPushPostReceiveTests(GitlabServerFixture server) : IClassFixture<GitlabServerFixture>, IAsyncLifetime
{
    private MiniWorkhorse? workhorse;

    private MiniWorkhorse Workhorse => workhorse!;

    public async Task InitializeAsync() => workhorse = await MiniWorkhorse.StartAsync(server.SmartHttp, ServerFixture.StorageName);

    public async Task DisposeAsync() => await Workhorse.DisposeAsync();

    [Fact]
    public async Task Push_Accepted_GitlabToldOnceWithChangesAndOptions_MessagesShown()
    {
        var (target, client) = await ReposAsync();
        var main = await client.CommitAsync(message: Unique());
        var feature = await client.CommitAsync(branch: "feature", message: Unique());
        var marker = Guid.NewGuid().ToString("N");
        server.Gitlab.PostReceive = _ => Messages(marker);
        try
        {
            var push = await GitPush.OverHttpAsync(client, Url(target), "-o", "ci.skip", "-o", "merge_request.title=A b", "main", "feature");

            Assert.True(push.ExitCode == 0, push.Output);
            Assert.Equal(main, await target.RevParseAsync("refs/heads/main"));
            Assert.Equal(feature, await target.RevParseAsync("refs/heads/feature"));
            Assert.Contains("remote: Merge request " + marker, push.Output, StringComparison.Ordinal);
            Assert.Contains("remote: " + new string('=', 72), push.Output, StringComparison.Ordinal);
            var told = Assert.Single(server.Gitlab.RequestsTo("/post_receive"), r => r.Body.Contains(main, StringComparison.Ordinal));
            Assert.True(told.JwtValid);
            Assert.Equal(
                new[] { $"{target.ZeroOid} {feature} refs/heads/feature", $"{target.ZeroOid} {main} refs/heads/main" }.Order(StringComparer.Ordinal),
                told.Json.GetProperty("changes").GetString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
            Assert.Equal(["ci.skip", "merge_request.title=A b"], told.Json.GetProperty("push_options").EnumerateArray().Select(o => o.GetString()));
            Assert.Equal("user-42", told.Json.GetProperty("identifier").GetString());
            Assert.Equal("project-1", told.Json.GetProperty("gl_repository").GetString());

            // Done by the server: git started no post-receive hook, so nothing called PostReceiveHook for this repository.
            Assert.DoesNotContain(server.Logs.AccessLog, r => Equals(r.Fields.GetValueOrDefault("grpc.method"), "PostReceiveHook") &&
                Equals(r.Fields.GetValueOrDefault("grpc.request.repoPath"), target.RelativePath));
            Assert.Contains(server.Logs.AccessLog, r => Equals(r.Fields.GetValueOrDefault("grpc.method"), "PreReceiveHook") &&
                Equals(r.Fields.GetValueOrDefault("grpc.request.repoPath"), target.RelativePath));
        }
        finally
        {
            ResetGitlab();
        }
    }

    [Theory]
    [InlineData(200)]
    [InlineData(500)]
    public async Task Push_SameRemoteLinesAsGitsPostReceiveHook(int status)
    {
        // The SSH path runs git's post-receive hook: the HTTP path must show the pusher exactly the same lines.
        var marker = Guid.NewGuid().ToString("N");
        server.Gitlab.PostReceive = _ => status == 200 ? Messages(marker) : FakeAnswer.Json(500, """{"message":"database is down"}""");
        try
        {
            var (overSsh, sshClient) = await ReposAsync();
            await sshClient.CommitAsync(message: Unique());
            var ssh = await GitPush.OverLodeSshAsync(server, sshClient, overSsh, "refs/heads/main:refs/heads/main");
            var (overHttp, httpClient) = await ReposAsync();
            await httpClient.CommitAsync(message: Unique());
            var http = await GitPush.OverHttpAsync(httpClient, Url(overHttp), "refs/heads/main:refs/heads/main");

            Assert.True(ssh.ExitCode == 0, ssh.Output);
            Assert.True(http.ExitCode == 0, http.Output);
            Assert.NotEmpty(RemoteLines(ssh.Output));
            Assert.Equal(RemoteLines(ssh.Output), RemoteLines(http.Output));
        }
        finally
        {
            ResetGitlab();
        }
    }

    [Fact]
    public async Task Push_OneRefRejectedByUpdateHook_GitlabToldOnlyOfTheOther()
    {
        var (target, client) = await ReposAsync();
        HookCalls.WriteHook(Path.Combine(target.Path, "custom_hooks", "update"),
            "#!/bin/sh\nif [ \"$1\" = refs/heads/blocked ]; then echo 'blocked is frozen' >&2; exit 1; fi\n");
        var main = await client.CommitAsync(message: Unique());
        await client.CommitAsync(branch: "blocked", message: Unique());

        var push = await GitPush.OverHttpAsync(client, Url(target), "main", "blocked");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("[remote rejected] blocked -> blocked (hook declined)", push.Output, StringComparison.Ordinal);
        Assert.Equal(main, await target.RevParseAsync("refs/heads/main"));
        var told = Assert.Single(server.Gitlab.RequestsTo("/post_receive"), r => r.Body.Contains(main, StringComparison.Ordinal));
        Assert.Equal($"{target.ZeroOid} {main} refs/heads/main\n", told.Json.GetProperty("changes").GetString());
    }

    [Fact]
    public async Task Push_DeniedByGitlab_NoPostReceive()
    {
        var (target, client) = await ReposAsync();
        var main = await client.CommitAsync(message: Unique());
        server.Gitlab.Allowed = _ => FakeAnswer.Json(403, """{"status":false,"message":"You are not allowed to push code to this project."}""");
        try
        {
            var push = await GitPush.OverHttpAsync(client, Url(target), "main");

            Assert.NotEqual(0, push.ExitCode);
            Assert.Contains("remote: GitLab: You are not allowed to push code to this project.", push.Output, StringComparison.Ordinal);
            Assert.Null(await target.TryRevParseAsync("refs/heads/main"));
            Assert.DoesNotContain(server.Gitlab.RequestsTo("/post_receive"), r => r.Body.Contains(main, StringComparison.Ordinal));
        }
        finally
        {
            ResetGitlab();
        }
    }

    [Fact]
    public async Task Push_CustomPostReceiveHook_GitRunsTheHook()
    {
        var (target, client) = await ReposAsync();
        HookCalls.WriteHook(Path.Combine(target.Path, "custom_hooks", "post-receive"), "#!/bin/sh\necho \"custom post-receive got $(cat)\"\n");
        var main = await client.CommitAsync(message: Unique());

        var push = await GitPush.OverHttpAsync(client, Url(target), "main");

        Assert.True(push.ExitCode == 0, push.Output);
        Assert.Contains($"remote: custom post-receive got {target.ZeroOid} {main} refs/heads/main", push.Output, StringComparison.Ordinal);
        Assert.Single(server.Gitlab.RequestsTo("/post_receive"), r => r.Body.Contains(main, StringComparison.Ordinal));
        Assert.Contains(server.Logs.AccessLog, r => Equals(r.Fields.GetValueOrDefault("grpc.method"), "PostReceiveHook") &&
            Equals(r.Fields.GetValueOrDefault("grpc.request.repoPath"), target.RelativePath));
    }

    /// <summary>Commits made by the helper are deterministic; each push here needs its own to find its GitLab calls.</summary>
    private static string Unique() => "commit " + Guid.NewGuid().ToString("N");

    private static FakeAnswer Messages(string marker) => FakeAnswer.Json(200, "{\"reference_counter_decreased\":true,\"messages\":[" +
        "{\"message\":\"Merge request " + marker + "\",\"type\":\"basic\"},{\"message\":\"Alert " + marker + "\",\"type\":\"alert\"}]}");

    private static string[] RemoteLines(string output) =>
        output.Split('\n').Where(line => line.StartsWith("remote:", StringComparison.Ordinal)).Select(line => line.TrimEnd()).ToArray();

    private void ResetGitlab()
    {
        server.Gitlab.Allowed = _ => FakeAnswer.Json(200, """{"status":true,"message":""}""");
        server.Gitlab.PostReceive = _ => FakeAnswer.Json(200, """{"reference_counter_decreased":true,"messages":[]}""");
    }

    private string Url(TestRepo target) => Workhorse.Url + target.RelativePath;

    private async Task<(TestRepo Target, TestRepo Client)> ReposAsync()
    {
        var target = await server.CreateRepoAsync();
        var client = await TestRepo.CreateAsync(server.Root.Combine("clients", Guid.NewGuid().ToString("N") + ".git"));
        return (target, client);
    }
}
