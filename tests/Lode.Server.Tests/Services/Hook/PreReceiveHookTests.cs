using System.Text.Json;
using Grpc.Core;
using Lode.Server.Hooks;
using Lode.TestKit;
using Lode.TestKit.Fixtures;
using Lode.TestKit.Gitlab;

namespace Lode.Server.Tests.Services.Hook;

public sealed class PreReceiveHookTests(GitlabServerFixture server) : IClassFixture<GitlabServerFixture>
{
    private const string Zero = "0000000000000000000000000000000000000000";

    private static string Changes(string newOid, string reference = "refs/heads/main") => $"{Zero} {newOid} {reference}\n";

    [Fact]
    public async Task PreReceiveHook_Allowed_CallsGitlabThenCustomHooksInOrder()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var log = server.Root.Combine("hooks-" + Guid.NewGuid().ToString("N") + ".log");
        var hooks = Path.Combine(repo.Path, "custom_hooks");
        var record = $"#!/bin/sh\necho \"$(basename \"$0\") $(pwd) $*\" >> '{log}'\ncat >> '{log}'\n";
        HookCalls.WriteHook(Path.Combine(hooks, "pre-receive"), record);
        HookCalls.WriteHook(Path.Combine(hooks, "pre-receive.d", "b"), record);
        HookCalls.WriteHook(Path.Combine(hooks, "pre-receive.d", "a"), record);
        HookCalls.WriteHook(Path.Combine(hooks, "pre-receive.d", "a~"), record);
        await File.WriteAllTextAsync(Path.Combine(hooks, "pre-receive.d", "not-executable"), record);
        var global = Path.Combine(server.GlobalHooksDir, "pre-receive.d", "global-" + Guid.NewGuid().ToString("N"));
        HookCalls.WriteHook(global, record);
        try
        {
            var proto = ServerFixture.Proto(repo);
            var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto), Changes(oid));

            Assert.Equal(0, result.ExitCode);
            Assert.Equal("", result.Stderr);
            var lines = await File.ReadAllLinesAsync(log);
            Assert.Equal(
            [
                $"pre-receive {repo.Path} ", $"{Zero} {oid} refs/heads/main",
                $"a {repo.Path} ", $"{Zero} {oid} refs/heads/main",
                $"b {repo.Path} ", $"{Zero} {oid} refs/heads/main",
                $"{Path.GetFileName(global)} {repo.Path} ", $"{Zero} {oid} refs/heads/main",
            ], lines);

            var allowed = Assert.Single(server.Gitlab.RequestsTo("/allowed"), r => r.Body.Contains(repo.RelativePath, StringComparison.Ordinal));
            Assert.True(allowed.JwtValid);
            Assert.StartsWith("gitaly/", allowed.UserAgent, StringComparison.Ordinal);
            Assert.Equal("application/json", allowed.ContentType);
            Assert.Equal("10.1.2.3", allowed.ForwardedFor);
            var body = allowed.Json;
            Assert.Equal("git-receive-pack", body.GetProperty("action").GetString());
            Assert.Equal("project-1", body.GetProperty("gl_repository").GetString());
            Assert.Equal(repo.Path, body.GetProperty("project").GetString());
            Assert.Equal(Changes(oid), body.GetProperty("changes").GetString());
            Assert.Equal("ssh", body.GetProperty("protocol").GetString());
            Assert.Equal("42", body.GetProperty("user_id").GetString());
            Assert.False(body.TryGetProperty("key_id", out _));
            Assert.Equal("""{"GIT_ALTERNATE_OBJECT_DIRECTORIES_RELATIVE":null,"GIT_OBJECT_DIRECTORY_RELATIVE":""}""",
                body.GetProperty("env").GetString());
            Assert.Contains(server.Gitlab.RequestsTo("/pre_receive"), r => r.Json.GetProperty("gl_repository").GetString() == "project-1" && r.JwtValid);
        }
        finally
        {
            File.Delete(global);
        }
    }

    [Fact]
    public async Task PreReceiveHook_CustomHookEnvironment_HasGitlabFactsPushOptionsAndNothingElse()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var envFile = server.Root.Combine("env-" + Guid.NewGuid().ToString("N"));
        HookCalls.WriteHook(Path.Combine(repo.Path, "custom_hooks", "pre-receive"), $"#!/bin/sh\nenv > '{envFile}'\n");
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto), Changes(oid), "ci.skip", "merge_request.create");

        Assert.Equal(0, result.ExitCode);
        var env = (await File.ReadAllLinesAsync(envFile)).Where(l => l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
        Assert.Equal("project-1", env["GL_REPOSITORY"]);
        Assert.Equal("group/project", env["GL_PROJECT_PATH"]);
        Assert.Equal("user-42", env["GL_ID"]);
        Assert.Equal("jane", env["GL_USERNAME"]);
        Assert.Equal("ssh", env["GL_PROTOCOL"]);
        Assert.Equal(repo.Path, env["GIT_DIR"]);
        Assert.Equal("2", env["GIT_PUSH_OPTION_COUNT"]);
        Assert.Equal("ci.skip", env["GIT_PUSH_OPTION_0"]);
        Assert.Equal("merge_request.create", env["GIT_PUSH_OPTION_1"]);
        Assert.False(env.ContainsKey("SECRET_OF_THE_HOOK_PROCESS"));
        Assert.False(env.ContainsKey(HooksPayload.EnvironmentVariable));
    }

    [Fact]
    public async Task PreReceiveHook_DeniedByAllowed_GitlabMessageOnStderrAndNoCustomHook()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var marker = server.Root.Combine("ran-" + Guid.NewGuid().ToString("N"));
        HookCalls.WriteHook(Path.Combine(repo.Path, "custom_hooks", "pre-receive"), $"#!/bin/sh\ntouch '{marker}'\n");
        server.Gitlab.Allowed = _ => FakeAnswer.Json(200, """{"status":false,"message":"You are not allowed to push code to this project."}""");
        try
        {
            var proto = ServerFixture.Proto(repo);
            var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto), Changes(oid));

            Assert.Equal(1, result.ExitCode);
            Assert.Equal("GitLab: You are not allowed to push code to this project.", result.Stderr);
            Assert.False(File.Exists(marker));
        }
        finally
        {
            server.Gitlab.Allowed = _ => FakeAnswer.Json(200, """{"status":true,"message":""}""");
        }
    }

    [Theory]
    [InlineData(403, """{"message":"You are not allowed to push code to protected branches on this project."}""",
        "GitLab: You are not allowed to push code to protected branches on this project.")]
    [InlineData(500, "not json", "GitLab: Internal API error (500)")]
    [InlineData(201, """{"status":true}""", "GitLab: gitlab api is not accessible: 201")]
    public async Task PreReceiveHook_AllowedFails_ReportedAsGitlabMessage(int status, string body, string expected)
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        server.Gitlab.Allowed = _ => FakeAnswer.Json(status, body);
        try
        {
            var proto = ServerFixture.Proto(repo);
            var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto), Changes(oid));

            Assert.Equal(1, result.ExitCode);
            Assert.Equal(expected, result.Stderr);
        }
        finally
        {
            server.Gitlab.Allowed = _ => FakeAnswer.Json(200, """{"status":true,"message":""}""");
        }
    }

    [Fact]
    public async Task PreReceiveHook_AllowedNotJson_UnsupportedContentType()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        server.Gitlab.Allowed = _ => new FakeAnswer(200, "text/html; charset=utf-8", "<html/>");
        try
        {
            var proto = ServerFixture.Proto(repo);
            var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto), Changes(oid));

            Assert.Equal(1, result.ExitCode);
            Assert.Equal("GitLab: /allowed endpoint respond with unsupported content type: text/html", result.Stderr);
        }
        finally
        {
            server.Gitlab.Allowed = _ => FakeAnswer.Json(200, """{"status":true,"message":""}""");
        }
    }

    [Fact]
    public async Task PreReceiveHook_CustomHookFails_ItsExitCodeAndOutputAndNoCounter()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        HookCalls.WriteHook(Path.Combine(repo.Path, "custom_hooks", "pre-receive"),
            "#!/bin/sh\necho 'checking your push'\necho 'GL-HOOK-ERR: commit message must reference an issue' >&2\nexit 3\n");
        var second = server.Root.Combine("second-" + Guid.NewGuid().ToString("N"));
        HookCalls.WriteHook(Path.Combine(repo.Path, "custom_hooks", "pre-receive.d", "later"), $"#!/bin/sh\ntouch '{second}'\n");
        var proto = ServerFixture.Proto(repo);
        var countersBefore = server.Gitlab.RequestsTo("/pre_receive").Count;

        var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto), Changes(oid));

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("checking your push\n", result.Stdout);
        Assert.Equal("GL-HOOK-ERR: commit message must reference an issue\n", result.Stderr);
        Assert.False(File.Exists(second));
        Assert.Equal(countersBefore, server.Gitlab.RequestsTo("/pre_receive").Count);
    }

    [Fact]
    public async Task PreReceiveHook_ReferenceCounterNotIncreased_Exit1WithoutMessage()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        server.Gitlab.PreReceive = _ => FakeAnswer.Json(200, """{"reference_counter_increased":false}""");
        try
        {
            var proto = ServerFixture.Proto(repo);
            var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto), Changes(oid));

            Assert.Equal(1, result.ExitCode);
            Assert.Equal("", result.Stderr);
        }
        finally
        {
            server.Gitlab.PreReceive = _ => FakeAnswer.Json(200, """{"reference_counter_increased":true}""");
        }
    }

    [Fact]
    public async Task PreReceiveHook_PushQuarantine_ObjectDirectoriesSentRelativeToRepository()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);
        var environment = HookCalls.Environment(server, proto, extra:
        [
            "GIT_OBJECT_DIRECTORY=" + Path.Combine(repo.Path, "objects", "incoming-Xy12Ab"),
            "GIT_ALTERNATE_OBJECT_DIRECTORIES=" + Path.Combine(repo.Path, "objects"),
        ]);

        var result = await HookCalls.PreReceiveAsync(server, proto, environment, Changes(oid, "refs/heads/quarantined"));

        Assert.Equal(0, result.ExitCode);
        var allowed = server.Gitlab.RequestsTo("/allowed").Last(r => r.Body.Contains("refs/heads/quarantined", StringComparison.Ordinal));
        Assert.Equal("""{"GIT_ALTERNATE_OBJECT_DIRECTORIES_RELATIVE":["objects"],"GIT_OBJECT_DIRECTORY_RELATIVE":"objects/incoming-Xy12Ab"}""",
            allowed.Json.GetProperty("env").GetString());
    }

    [Theory]
    [InlineData("key-7", "key_id", "7")]
    [InlineData("username-jane", "username", "jane")]
    public async Task PreReceiveHook_GlIdKinds_SentAsTheirField(string glId, string field, string value)
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);
        var user = HookCalls.DefaultUser with { UserId = glId };

        var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto, user), Changes(oid, "refs/heads/" + field));

        Assert.Equal(0, result.ExitCode);
        var body = server.Gitlab.RequestsTo("/allowed").Last(r => r.Body.Contains("refs/heads/" + field, StringComparison.Ordinal)).Json;
        Assert.Equal(value, body.GetProperty(field).GetString());
        Assert.False(body.TryGetProperty("user_id", out _));
    }

    [Fact]
    public async Task PreReceiveHook_InvalidGlId_DeclinedWithGitlabPrefix()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto, HookCalls.DefaultUser with { UserId = "user-x" }),
            Changes(oid));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("GitLab: setting gl_id: gl_id='user-x' is invalid", result.Stderr);
    }

    [Theory]
    [InlineData("", "hook got no reference updates")]
    public async Task PreReceiveHook_NoChanges_Declined(string changes, string expected)
    {
        var repo = await server.CreateRepoAsync();
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto), changes);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(expected, result.Stderr);
    }

    [Fact]
    public async Task PreReceiveHook_MissingFacts_DeclinedAsGitaly()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);

        var noUser = await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto, HookCalls.DefaultUser with { UserId = "" }), Changes(oid));
        var noProtocol = await HookCalls.PreReceiveAsync(server, proto,
            HookCalls.Environment(server, proto, HookCalls.DefaultUser with { Protocol = "" }), Changes(oid));
        var noGlRepository = proto.Clone();
        noGlRepository.GlRepository = "";
        var noRepository = await HookCalls.PreReceiveAsync(server, noGlRepository, HookCalls.Environment(server, noGlRepository), Changes(oid));

        Assert.Equal((1, "user ID not set"), (noUser.ExitCode, noUser.Stderr));
        Assert.Equal((1, "protocol not set"), (noProtocol.ExitCode, noProtocol.Stderr));
        Assert.Equal((1, "repository not set"), (noRepository.ExitCode, noRepository.Stderr));
    }

    [Fact]
    public async Task PreReceiveHook_NoPayload_Declined()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);

        var result = await HookCalls.PreReceiveAsync(server, proto, ["PATH=/usr/bin"], Changes(oid));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("extracting hooks payload: no hooks payload found in environment", result.Stderr);
    }

    [Fact]
    public async Task PreReceiveHook_RepositoryMissing_NotFound()
    {
        var repo = ServerFixture.Proto(await server.CreateRepoAsync());
        repo.RelativePath = "@hashed/does/not/exist.git";

        using var call = server.Hook.PreReceiveHook();
        var first = new Gitaly.PreReceiveHookRequest { Repository = repo };
        first.EnvironmentVariables.Add(HookCalls.Environment(server, repo));
        await call.RequestStream.WriteAsync(first);

        // The server answers after the first message; stdin is never read.
        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task PreReceiveHook_NoFirstMessage_Internal()
    {
        using var call = server.Hook.PreReceiveHook();
        await call.RequestStream.CompleteAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal("receiving first request: EOF", e.Status.Detail);
    }

    [Fact]
    public async Task PreReceiveHook_RequestsCarryJwtSignedWithTrimmedSecretAndShareAKeptConnection()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.CommitAsync();
        var proto = ServerFixture.Proto(repo);

        await HookCalls.PreReceiveAsync(server, proto, HookCalls.Environment(server, proto), Changes(oid, "refs/heads/jwt"));

        var request = server.Gitlab.RequestsTo("/allowed").Last(r => r.Body.Contains("refs/heads/jwt", StringComparison.Ordinal));
        Assert.True(request.JwtValid);
        Assert.NotEqual("close", request.Connection, StringComparer.OrdinalIgnoreCase);
        var preReceive = server.Gitlab.RequestsTo("/pre_receive")[^1];
        Assert.Equal(request.ConnectionId, preReceive.ConnectionId); // Gitaly opens one per call; Lode keeps it
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("project-1", json.RootElement.GetProperty("gl_repository").GetString());
    }
}
