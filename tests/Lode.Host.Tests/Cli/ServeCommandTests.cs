using System.Text.Json;
using System.Text.RegularExpressions;
using Gitaly;
using Grpc.Core;
using Grpc.Net.Client;
using Lode.TestKit;

namespace Lode.Host.Tests.Cli;

/// <summary><c>lode serve</c> run as a real process: refusals with exit codes, the no-config default, and SIGTERM.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private const string HowToSetToken = "set [auth] token in the config file or the LODE_AUTH_TOKEN environment variable";

    private readonly TempDirectory temp = new("lode-host-test-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Serve_InvalidConfig_ExitsOneNamingTheKey()
    {
        var missing = temp.Combine("no-such-bin");
        var toml = TestConfig.Toml(temp.Path, FreePort.Next(), "[logging]\nformat = 'xml'\n")
            .Replace($"bin_dir = '{temp.Combine("bin")}'", $"bin_dir = '{missing}'", StringComparison.Ordinal);
        var config = TestConfig.Write(temp.Path, toml);

        var result = await LodeProcess.RunAsync(temp.Path, null, "serve", "--config", config);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"invalid config: bin_dir: path doesn't exist: \"{missing}\"", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("invalid config: logging.format: invalid format \"xml\": expected text or json", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Combine("run")));
    }

    [Fact]
    public async Task Serve_NonLoopbackWithoutToken_ExitsOneAndSaysHowToSetToken()
    {
        var toml = TestConfig.Toml(temp.Path, 8075).Replace("listen_addr = '127.0.0.1:8075'", "listen_addr = '0.0.0.0:8075'", StringComparison.Ordinal);
        var config = TestConfig.Write(temp.Path, toml);

        var result = await LodeProcess.RunAsync(temp.Path, null, "serve", "--config", config);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("invalid config: listen_addr: refusing to listen on non-loopback address \"0.0.0.0:8075\"", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(HowToSetToken, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_PositionalConfig_ReadLikeOption()
    {
        var toml = TestConfig.Toml(temp.Path, 8075).Replace("listen_addr = '127.0.0.1:8075'", "listen_addr = ':8075'", StringComparison.Ordinal);
        var config = TestConfig.Write(temp.Path, toml, "positional.toml");

        var result = await LodeProcess.RunAsync(temp.Path, null, "serve", "positional.toml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("invalid config: listen_addr: refusing to listen on non-loopback address \":8075\"", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(HowToSetToken, result.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(config));
    }

    [Fact]
    public async Task Serve_MissingConfigFile_ExitsOneNamingThePath()
    {
        var result = await LodeProcess.RunAsync(temp.Path, null, "serve", "--config", "missing.toml");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"load config: config_path \"{temp.Combine("missing.toml")}\": ", result.Stderr, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(result.Stderr, "config_path"));
    }

    [Fact]
    public async Task Serve_TomlSyntaxError_ExitsOne()
    {
        var config = TestConfig.Write(temp.Path, "listen_addr = \n");

        var result = await LodeProcess.RunAsync(temp.Path, null, "serve", "--config", config);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"load config: config_path \"{config}\": invalid TOML: ", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("serve", "--no-such-flag")]
    [InlineData("configuration", "check")]
    public async Task Lode_UnknownCommandOrOption_ExitsTwo(params string[] args)
    {
        var result = await LodeProcess.RunAsync(temp.Path, null, args);

        Assert.Equal(2, result.ExitCode);
        Assert.NotEqual("", result.Stderr);
    }

    [Fact]
    public async Task Serve_NoConfig_ServesDefaultStorageAndStopsCleanlyOnSigterm()
    {
        var work = Directory.CreateDirectory(temp.Combine("work")).FullName;
        var tmp = Directory.CreateDirectory(temp.Combine("tmp")).FullName;
        var port = FreePort.Next();
        using var lode = LodeProcess.Start(["serve"], work, new Dictionary<string, string>
        {
            ["LODE_LISTEN_ADDR"] = "127.0.0.1:" + port,
            // The runtime folder goes to a fresh temp dir (no runtime_dir): point TMPDIR here to find it.
            ["TMPDIR"] = tmp,
        });

        await lode.WaitForPortAsync(port, TimeSpan.FromSeconds(30));

        // The embedded default: one storage "default" under ./data/repositories with a filesystem id.
        var storage = Path.Combine(work, "data", "repositories");
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(storage, ".gitaly-metadata")));
        var filesystemId = metadata.RootElement.GetProperty("gitaly_filesystem_id").GetString();
        Assert.True(Guid.TryParse(filesystemId, out _), filesystemId);
        var runtime = Assert.Single(Directory.GetDirectories(tmp, "lode-*"));
        Assert.True(File.Exists(Path.Combine(runtime, "sock.d", "intern")), "no internal socket in " + runtime);

        using (var channel = GrpcChannel.ForAddress("http://127.0.0.1:" + port))
        {
            var repository = new RepositoryService.RepositoryServiceClient(channel);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            var missing = await repository.RepositoryExistsAsync(
                new RepositoryExistsRequest { Repository = new Repository { StorageName = "default", RelativePath = "group/project.git" } },
                deadline: deadline);
            Assert.False(missing.Exists);

            await GitCli.RunAsync(null, "init", "--bare", "--quiet", Path.Combine(storage, "group", "project.git"));
            var present = await repository.RepositoryExistsAsync(
                new RepositoryExistsRequest { Repository = new Repository { StorageName = "default", RelativePath = "group/project.git" } },
                deadline: deadline);
            Assert.True(present.Exists);

            var escape = await Assert.ThrowsAsync<RpcException>(async () => await repository.RepositoryExistsAsync(
                new RepositoryExistsRequest { Repository = new Repository { StorageName = "default", RelativePath = "../../etc" } },
                deadline: deadline));
            Assert.Equal(StatusCode.InvalidArgument, escape.StatusCode);

            var info = await new ServerService.ServerServiceClient(channel).ServerInfoAsync(new ServerInfoRequest(), deadline: deadline);
            Assert.NotEqual("", info.ServerVersion);
            var gitVersion = (await GitCli.RunAsync(null, "version")).Replace("git version ", "", StringComparison.Ordinal);
            Assert.StartsWith(info.GitVersion, gitVersion, StringComparison.Ordinal);
            var status = Assert.Single(info.StorageStatuses);
            Assert.Equal("default", status.StorageName);
            Assert.True(status.Readable);
            Assert.True(status.Writeable);
            Assert.Equal(filesystemId, status.FilesystemId);
            Assert.Equal(1u, status.ReplicationFactor);
        }

        lode.Terminate();
        var exitCode = await lode.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{lode.Stdout}\nstderr:\n{lode.Stderr}");
        Assert.False(Directory.Exists(runtime), "runtime folder left behind: " + runtime);
        Assert.Empty(Directory.GetDirectories(tmp, "lode-*"));
        Assert.Equal(filesystemId, JsonDocument.Parse(File.ReadAllText(Path.Combine(storage, ".gitaly-metadata")))
            .RootElement.GetProperty("gitaly_filesystem_id").GetString());
    }

    [Fact]
    public async Task Serve_RuntimeDirConfigured_UsesLodePidFolderAndRemovesIt()
    {
        var port = FreePort.Next();
        var config = TestConfig.Write(temp.Path, TestConfig.Toml(temp.Path, port));
        var stale = Directory.CreateDirectory(temp.Combine("run", "lode-stale")).FullName;
        using var lode = LodeProcess.Start(["serve", "--config", config], temp.Path);

        await lode.WaitForPortAsync(port, TimeSpan.FromSeconds(30));

        var runtime = temp.Combine("run", "lode-" + lode.Id);
        Assert.True(Directory.Exists(runtime), "no runtime folder at " + runtime);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(runtime));
        Assert.True(File.Exists(Path.Combine(runtime, "sock.d", "intern")), "no internal socket in " + runtime);

        lode.Terminate();
        var exitCode = await lode.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{lode.Stdout}\nstderr:\n{lode.Stderr}");
        Assert.False(Directory.Exists(runtime), "runtime folder left behind: " + runtime);
        Assert.True(Directory.Exists(stale), "another process's folder was touched");
    }
}
