using Lode.TestKit;

namespace Lode.EndToEnd.Tests;

/// <summary>The transport scenarios with <c>GIT_SSH_COMMAND="lode ssh"</c> over the SSHService RPCs, fetching over a sidechannel.</summary>
public sealed class LodeSshSidechannelTests(EndToEndFixture server) : TransportScenarios(server), IClassFixture<EndToEndFixture>
{
    protected override string Remote(TestRepo repo) => "ssh://lode.invalid/" + repo.RelativePath;

    protected override IReadOnlyDictionary<string, string> Env => new Dictionary<string, string>
    {
        ["GIT_SSH_COMMAND"] = EndToEndFixture.LodeCommand + " ssh",
        ["GITALY_ADDRESS"] = "tcp://" + Server.Endpoints.Tcp,
        ["GITALY_TOKEN"] = EndToEndFixture.Token,
        ["GITALY_USE_SIDECHANNEL"] = "1",
    };

    [Fact]
    public async Task ArchiveRemote_SameBytesAsServerArchive()
    {
        var repo = await Server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a.txt"] = "a\n", ["dir/b.txt"] = "b\n" });
        using var work = new TempDirectory();
        var output = work.Combine("remote.tar");

        await Git.OkAsync(work.Path, Env, "archive", "--format=tar", "--remote=" + Remote(repo), "-o", output, "HEAD");

        Assert.Equal(await repo.GitBytesAsync(["archive", "--format=tar", "HEAD"]), await File.ReadAllBytesAsync(output));
    }

    [Fact]
    public async Task GitalySshMode_PayloadNamesRepository_CloneAndPush()
    {
        var repo = await Server.CreateRepoAsync();
        var main = await repo.CommitAsync();
        using var work = new TempDirectory();
        var repository = "{\"storageName\":\"default\",\"relativePath\":\"" + repo.RelativePath + "\"}";
        Dictionary<string, string> EnvFor(string service, string payload) => new()
        {
            ["GIT_SSH_COMMAND"] = EndToEndFixture.LodeCommand + " ssh " + service,
            ["GIT_SSH_VARIANT"] = "simple",
            ["GITALY_ADDRESS"] = "unix:" + Server.Endpoints.UnixSocket,
            ["GITALY_TOKEN"] = EndToEndFixture.Token,
            ["GITALY_PAYLOAD"] = payload,
        };

        // The URL's path is ignored: the payload names the repository, as when Gitaly runs gitaly-ssh.
        await Git.OkAsync(work.Path, EnvFor("upload-pack", "{\"repository\":" + repository + "}"), "clone", "-q", "ssh://ignored/whatever.git", "clone");
        var clone = work.Combine("clone");
        Assert.Equal(main, await Git.OkAsync(clone, null, "rev-parse", "HEAD"));
        var next = await Git.CommitFileAsync(clone, "b.txt", "b\n", "second");
        await Git.OkAsync(clone, EnvFor("receive-pack", "{\"repository\":" + repository + ",\"glId\":\"user-1\"}"), "push", "-q", "origin", "main");

        Assert.Equal(next, await repo.GitAsync("rev-parse", "refs/heads/main"));
    }

    [Fact]
    public async Task MissingRepository_GitFailsWithServerMessage()
    {
        using var work = new TempDirectory();
        var run = await Git.RunAsync(work.Path, Env, "clone", "-q", "ssh://lode.invalid/nope.git", "clone");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("NotFound", run.Stderr);
    }
}
