using System.Diagnostics;
using Gitaly;
using Google.Protobuf;
using Lode.Server.Tests.Services.Hook;
using Lode.TestKit;
using Lode.TestKit.Fixtures;
using Lode.TestKit.Gitlab;

namespace Lode.Server.Tests.EndToEnd;

#pragma warning disable CA5350 // Reference-transaction votes are SHA-1 by protocol.

/// <summary>
/// Real pushes: <c>git push</c> over <c>lode ssh</c> (GIT_SSH_COMMAND) → SSHReceivePack → <c>git receive-pack</c> with the
/// runtime hooks folder → the hooks (<c>lode hooks</c> scripts) → HookService on the internal socket → the fake GitLab
/// and custom hooks. What the pusher sees is git's own output.
/// </summary>
public sealed class PushHooksTests(GitlabServerFixture server) : IClassFixture<GitlabServerFixture>
{
    [Fact]
    public async Task Push_CustomPreReceiveRejects_HookMessageShownAndNoObjectsLeft()
    {
        var (target, client) = await ReposAsync();
        HookCalls.WriteHook(Path.Combine(target.Path, "custom_hooks", "pre-receive"),
            "#!/bin/sh\necho 'GL-HOOK-ERR: pushes to main need an issue reference' >&2\nexit 1\n");
        var commit = await client.CommitAsync(files: new Dictionary<string, object> { ["big.bin"] = RandomBytes(200_000), ["a.txt"] = "a\n" });

        var push = await PushAsync(client, target);

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("remote: GL-HOOK-ERR: pushes to main need an issue reference", push.Output, StringComparison.Ordinal);
        Assert.Contains("[remote rejected] main -> main (pre-receive hook declined)", push.Output, StringComparison.Ordinal);
        Assert.Null(await target.TryRevParseAsync("refs/heads/main"));
        Assert.Null(await target.TryRevParseAsync(commit));
        Assert.Empty(Directory.GetDirectories(Path.Combine(target.Path, "objects"), "incoming-*"));
        Assert.Equal("0", (await target.GitLinesAsync("count-objects", "-v")).Single(l => l.StartsWith("count:", StringComparison.Ordinal))[7..]);
        Assert.Empty(Directory.GetFiles(Path.Combine(target.Path, "objects", "pack")));
    }

    [Fact]
    public async Task Push_DeniedByGitlab_GitlabMessageShown()
    {
        var (target, client) = await ReposAsync();
        await client.CommitAsync();
        server.Gitlab.Allowed = _ => FakeAnswer.Json(403, """{"status":false,"message":"You are not allowed to push code to this project."}""");
        try
        {
            var push = await PushAsync(client, target);

            Assert.NotEqual(0, push.ExitCode);
            Assert.Contains("remote: GitLab: You are not allowed to push code to this project.", push.Output, StringComparison.Ordinal);
            Assert.Contains("(pre-receive hook declined)", push.Output, StringComparison.Ordinal);
            Assert.Null(await target.TryRevParseAsync("refs/heads/main"));
        }
        finally
        {
            server.Gitlab.Allowed = _ => FakeAnswer.Json(200, """{"status":true,"message":""}""");
        }
    }

    [Fact]
    public async Task Push_Accepted_AllHooksRunAndMessagesPrinted()
    {
        var (target, client) = await ReposAsync();
        var log = server.Root.Combine("update-" + Guid.NewGuid().ToString("N"));
        HookCalls.WriteHook(Path.Combine(target.Path, "custom_hooks", "update"), $"#!/bin/sh\necho \"$1 $2 $3 $GL_ID $GL_PROTOCOL\" >> '{log}'\n");
        HookCalls.WriteHook(Path.Combine(target.Path, "custom_hooks", "post-receive"), "#!/bin/sh\necho 'custom post-receive ran'\n");
        var commit = await client.CommitAsync();
        var marker = Guid.NewGuid().ToString("N");
        server.Gitlab.PostReceive = _ => FakeAnswer.Json(200, "{\"reference_counter_decreased\":true,\"messages\":[{\"message\":\"Merge request " +
            marker + "\",\"type\":\"basic\"},{\"message\":\"Alert " + marker + "\",\"type\":\"alert\"}]}");
        try
        {
            var push = await PushAsync(client, target);

            Assert.True(push.ExitCode == 0, push.Output);
            Assert.Equal(commit, await target.RevParseAsync("refs/heads/main"));
            Assert.Contains("remote: Merge request " + marker, push.Output, StringComparison.Ordinal);
            Assert.Contains("remote: " + new string('=', 72), push.Output, StringComparison.Ordinal);
            Assert.Contains("Alert " + marker, push.Output, StringComparison.Ordinal);
            Assert.Contains("remote: custom post-receive ran", push.Output, StringComparison.Ordinal);
            Assert.Equal($"refs/heads/main {target.ZeroOid} {commit} user-42 ssh\n", await File.ReadAllTextAsync(log));

            var changes = $"{target.ZeroOid} {commit} refs/heads/main\n";
            Assert.Contains(server.Gitlab.RequestsTo("/allowed"), r => r.Body.Contains(commit, StringComparison.Ordinal) && r.JwtValid);
            Assert.Contains(server.Gitlab.RequestsTo("/post_receive"), r => r.Json.GetProperty("changes").GetString() == changes);
            // Outside a cluster transaction the reference-transaction hook has nobody to vote with: git is not made to start it.
            Assert.DoesNotContain(server.Logs.AccessLog, r => Equals(r.Fields.GetValueOrDefault("grpc.method"), "ReferenceTransactionHook") &&
                Equals(r.Fields.GetValueOrDefault("grpc.request.repoPath"), target.RelativePath));
        }
        finally
        {
            server.Gitlab.PostReceive = _ => FakeAnswer.Json(200, """{"reference_counter_decreased":true,"messages":[]}""");
        }
    }

    [Fact]
    public async Task Push_GitlabChecksQuarantine_NewObjectsVisibleOnlyThroughIt()
    {
        var (target, client) = await ReposAsync();
        await target.CommitAsync();
        await client.GitAsync("fetch", target.Path, "main:main");
        var commit = await client.CommitAsync();
        bool? withQuarantine = null;
        bool? withoutQuarantine = null;
        server.Gitlab.Allowed = body =>
        {
            // What Rails does during /allowed: check the pushed objects through the quarantine GitLab was given.
            using var env = System.Text.Json.JsonDocument.Parse(body.GetProperty("env").GetString()!);
            var repository = ServerFixture.Proto(target);
            repository.GitObjectDirectory = env.RootElement.GetProperty("GIT_OBJECT_DIRECTORY_RELATIVE").GetString()!;
            foreach (var alternate in env.RootElement.GetProperty("GIT_ALTERNATE_OBJECT_DIRECTORIES_RELATIVE").EnumerateArray())
            {
                repository.GitAlternateObjectDirectories.Add(alternate.GetString()!);
            }

            withQuarantine = Exists(repository, commit);
            withoutQuarantine = Exists(ServerFixture.Proto(target), commit);
            return FakeAnswer.Json(200, """{"status":true,"message":""}""");
        };
        try
        {
            var push = await PushAsync(client, target);

            Assert.True(push.ExitCode == 0, push.Output);
            Assert.True(withQuarantine);
            Assert.False(withoutQuarantine);
            Assert.Equal(commit, await target.RevParseAsync("refs/heads/main"));
        }
        finally
        {
            server.Gitlab.Allowed = _ => FakeAnswer.Json(200, """{"status":true,"message":""}""");
        }
    }

    private bool Exists(Gitaly.Repository repository, string oid)
    {
        using var call = server.Commit.CheckObjectsExist();
        call.RequestStream.WriteAsync(new CheckObjectsExistRequest { Repository = repository, Revisions = { ByteString.CopyFromUtf8(oid) } })
            .GetAwaiter().GetResult();
        call.RequestStream.CompleteAsync().GetAwaiter().GetResult();
        var exists = false;
        while (call.ResponseStream.MoveNext(CancellationToken.None).GetAwaiter().GetResult())
        {
            exists |= call.ResponseStream.Current.Revisions.Any(r => r.Exists);
        }

        return exists;
    }

    private async Task<(TestRepo Target, TestRepo Client)> ReposAsync()
    {
        var target = await server.CreateRepoAsync();
        var client = await TestRepo.CreateAsync(server.Root.Combine("clients", Guid.NewGuid().ToString("N") + ".git"));
        return (target, client);
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private Task<(int ExitCode, string Output)> PushAsync(TestRepo client, TestRepo target) =>
        GitPush.OverLodeSshAsync(server, client, target, "refs/heads/main:refs/heads/main");
}
