using Lode.TestKit;
using Lode.TestKit.Fixtures;
using Lode.TestKit.Gitlab;

namespace Lode.Server.Tests.Services.Hook;

public sealed class PostReceiveHookTests(GitlabServerFixture server) : IClassFixture<GitlabServerFixture>
{
    private const string Zero = "0000000000000000000000000000000000000000";

    [Fact]
    public async Task PostReceiveHook_Messages_PrintedBasicAndAlertFramed()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        server.Gitlab.PostReceive = _ => FakeAnswer.Json(200, """
            {"reference_counter_decreased":true,"messages":[
              {"message":"To create a merge request for main, visit:\n  http://gitlab/group/project/-/merge_requests/new","type":"basic"},
              {"message":"The repository is read-only for maintenance which will take a while, so please be patient and do not push anything else until then. Thank you!","type":"alert"}]}
            """);
        try
        {
            var proto = ServerFixture.Proto(repo);
            var result = await HookCalls.PostReceiveAsync(server, proto, HookCalls.Environment(server, proto), $"{Zero} {oid} refs/heads/main\n");

            var rule = new string('=', 72);
            var expected =
                "\nTo create a merge request for main, visit:\n  http://gitlab/group/project/-/merge_requests/new\n\n" +
                "\n" + rule + "\n\n" +
                Centered("The repository is read-only for maintenance which will take a") + "\n" +
                Centered("while, so please be patient and do not push anything else until") + "\n" +
                Centered("then. Thank you!") + "\n\n" +
                rule + "\n\n";
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(expected, result.Stdout);
            Assert.Equal("", result.Stderr);
        }
        finally
        {
            server.Gitlab.PostReceive = _ => FakeAnswer.Json(200, """{"reference_counter_decreased":true,"messages":[]}""");
        }
    }

    [Fact]
    public async Task PostReceiveHook_Request_CarriesIdentifierChangesAndPushOptions()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);
        var changes = $"{Zero} {oid} refs/heads/post-options\n";

        var result = await HookCalls.PostReceiveAsync(server, proto, HookCalls.Environment(server, proto), changes, "ci.skip");

        Assert.Equal(0, result.ExitCode);
        var request = server.Gitlab.RequestsTo("/post_receive").Last(r => r.Body.Contains("post-options", StringComparison.Ordinal));
        Assert.True(request.JwtValid);
        var body = request.Json;
        Assert.Equal("project-1", body.GetProperty("gl_repository").GetString());
        Assert.Equal("user-42", body.GetProperty("identifier").GetString());
        Assert.Equal(changes, body.GetProperty("changes").GetString());
        Assert.Equal(["ci.skip"], body.GetProperty("push_options").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task PostReceiveHook_CustomHooks_RunAfterGitlabAndOutputRelayed()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        HookCalls.WriteHook(Path.Combine(repo.Path, "custom_hooks", "post-receive"), "#!/bin/sh\nread old new ref\necho \"deployed $ref\"\necho warn >&2\n");
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.PostReceiveAsync(server, proto, HookCalls.Environment(server, proto), $"{Zero} {oid} refs/heads/main\n");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("deployed refs/heads/main\n", result.Stdout);
        Assert.Equal("warn\n", result.Stderr);
    }

    [Fact]
    public async Task PostReceiveHook_CustomHookFails_ItsExitCode()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        HookCalls.WriteHook(Path.Combine(repo.Path, "custom_hooks", "post-receive.d", "fail"), "#!/bin/sh\nexit 5\n");
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.PostReceiveAsync(server, proto, HookCalls.Environment(server, proto), $"{Zero} {oid} refs/heads/main\n");

        Assert.Equal(5, result.ExitCode);
    }

    [Fact]
    public async Task PostReceiveHook_GitlabError_GitlabPrefixedMessage()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        server.Gitlab.PostReceive = _ => FakeAnswer.Json(503, """{"message":"maintenance"}""");
        try
        {
            var proto = ServerFixture.Proto(repo);
            var result = await HookCalls.PostReceiveAsync(server, proto, HookCalls.Environment(server, proto), $"{Zero} {oid} refs/heads/main\n");

            Assert.Equal(1, result.ExitCode);
            Assert.Equal("GitLab: http post to gitlab api /post_receive endpoint: maintenance", result.Stderr);
        }
        finally
        {
            server.Gitlab.PostReceive = _ => FakeAnswer.Json(200, """{"reference_counter_decreased":true,"messages":[]}""");
        }
    }

    [Fact]
    public async Task PostReceiveHook_CounterNotDecreased_Exit1()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        server.Gitlab.PostReceive = _ => FakeAnswer.Json(200, """{"reference_counter_decreased":false,"messages":[{"message":"hi","type":"basic"}]}""");
        try
        {
            var proto = ServerFixture.Proto(repo);
            var result = await HookCalls.PostReceiveAsync(server, proto, HookCalls.Environment(server, proto), $"{Zero} {oid} refs/heads/main\n");

            Assert.Equal(1, result.ExitCode);
            Assert.Equal("\nhi\n\n", result.Stdout);
        }
        finally
        {
            server.Gitlab.PostReceive = _ => FakeAnswer.Json(200, """{"reference_counter_decreased":true,"messages":[]}""");
        }
    }

    [Fact]
    public async Task PostReceiveHook_InvalidMessageType_Declined()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        server.Gitlab.PostReceive = _ => FakeAnswer.Json(200, """{"reference_counter_decreased":true,"messages":[{"message":"hi","type":"shout"}]}""");
        try
        {
            var proto = ServerFixture.Proto(repo);
            var result = await HookCalls.PostReceiveAsync(server, proto, HookCalls.Environment(server, proto), $"{Zero} {oid} refs/heads/main\n");

            Assert.Equal(1, result.ExitCode);
            Assert.Equal("error writing messages to stream: invalid message type: shout", result.Stderr);
        }
        finally
        {
            server.Gitlab.PostReceive = _ => FakeAnswer.Json(200, """{"reference_counter_decreased":true,"messages":[]}""");
        }
    }

    [Fact]
    public async Task PostReceiveHook_NoChanges_Declined()
    {
        var repo = await server.CreateRepoAsync();
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.PostReceiveAsync(server, proto, HookCalls.Environment(server, proto), "");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("hook got no reference updates", result.Stderr);
    }

    private static string Centered(string text) => new string(' ', (72 - text.Length) / 2) + text;
}
