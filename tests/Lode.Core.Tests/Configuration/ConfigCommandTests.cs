using Lode.Core.Configuration;

namespace Lode.Core.Tests.Configuration;

/// <summary>
/// <c>config_command</c>: every test here writes an executable and runs it. They share one class so that xUnit runs
/// them one at a time: a script executed while another thread of this process forks with the script still open for
/// writing would fail with ETXTBSY.
/// </summary>
public sealed class ConfigCommandTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Load_ConfigCommandPrintsToken_OverridesFileToken()
    {
        var command = Script("printf '%s' '{\"auth\":{\"token\":\"from-command\"}}'");

        var result = ConfigLoader.Load($"""
            config_command = '{command}'
            listen_addr = 'localhost:8075'
            [auth]
            token = 'from-file'
            transitioning = true
            """);

        Assert.Empty(result.Errors);
        Assert.Equal("from-command", result.Options.Auth.Token);
        Assert.True(result.Options.Auth.Transitioning);
        Assert.Equal("localhost:8075", result.Options.ListenAddr);
        Assert.Equal(command, result.Options.ConfigCommand);
        Assert.Empty(result.UnknownKeys);
    }

    [Fact]
    public void Load_ConfigCommandAddsSections_TypesAreKept()
    {
        var command = Script("""
            cat <<'JSON'
            {
              "listen_addr": "127.0.0.1:9000",
              "storage": [{"name": "default", "path": "/srv/repos"}, {"name": "other", "path": "/srv/other"}],
              "git": {"catfile_cache_size": 7, "use_bundled_binaries": true},
              "prometheus": {"grpc_latency_buckets": [0.5, 1, 2.5]},
              "daily_maintenance": {"storages": ["default"], "duration": "20m"},
              "logging": {"format": "json"}
            }
            JSON
            """);

        var result = ConfigLoader.Load($"""
            config_command = '{command}'
            listen_addr = 'localhost:8075'
            [[storage]]
            name = 'replaced'
            path = '/replaced'
            [logging]
            level = 'debug'
            """);

        Assert.Empty(result.Errors);
        var o = result.Options;
        Assert.Equal("127.0.0.1:9000", o.ListenAddr);
        Assert.Equal([new StorageOptions("default", "/srv/repos"), new StorageOptions("other", "/srv/other")], o.Storages);
        Assert.Equal(7, o.Git.CatfileCacheSize);
        Assert.True(o.Git.UseBundledBinaries);
        Assert.Equal([0.5, 1, 2.5], o.Prometheus.GrpcLatencyBuckets);
        Assert.Equal(["default"], o.DailyMaintenance.Storages!);
        Assert.Equal(TimeSpan.FromMinutes(20), o.DailyMaintenance.Duration);
        Assert.Equal("json", o.Logging.Format);
        Assert.Equal("debug", o.Logging.Level);
    }

    [Fact]
    public void Load_ConfigCommandFails_ErrorWithExitStatusAndStderr()
    {
        var command = Script("echo 'vault sealed' >&2\nexit 3");

        var result = ConfigLoader.Load($"config_command = '{command}'");

        var error = Assert.Single(result.Errors);
        Assert.Equal(["config_command"], error.Key);
        Assert.Equal("running config command: exit status 3: vault sealed", error.Message);
    }

    [Fact]
    public void Load_ConfigCommandMissing_Error()
    {
        var command = temp.Combine("does-not-exist");

        var result = ConfigLoader.Load($"config_command = '{command}'");

        var error = Assert.Single(result.Errors);
        Assert.Equal(["config_command"], error.Key);
        Assert.StartsWith("running config command: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ConfigCommandNotExecutable_Error()
    {
        var command = temp.File("not-executable.sh", "#!/bin/sh\necho '{}'\n");

        var result = ConfigLoader.Load($"config_command = '{command}'");

        var error = Assert.Single(result.Errors);
        Assert.Equal(["config_command"], error.Key);
        Assert.StartsWith("running config command: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ConfigCommandPrintsGarbage_UnmarshalError()
    {
        var command = Script("echo 'token=abc'");

        var result = ConfigLoader.Load($"config_command = '{command}'");

        var error = Assert.Single(result.Errors);
        Assert.Equal(["config_command"], error.Key);
        Assert.StartsWith("unmarshalling generated config: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ConfigCommandPrintsArray_UnmarshalError()
    {
        var command = Script("echo '[1, 2]'");

        var result = ConfigLoader.Load($"config_command = '{command}'");

        var error = Assert.Single(result.Errors);
        Assert.Equal(["config_command"], error.Key);
        Assert.Equal("unmarshalling generated config: expected a JSON object", error.Message);
    }

    [Fact]
    public void Load_ConfigCommandWrongType_ErrorNamesMergedKey()
    {
        var command = Script("echo '{\"auth\":{\"token\":42}}'");

        var result = ConfigLoader.Load($"config_command = '{command}'\n[auth]\ntoken = 'x'");

        var error = Assert.Single(result.Errors);
        Assert.Equal(["auth", "token"], error.Key);
        Assert.Equal("expected a string", error.Message);
    }

    [Fact]
    public void Load_EmptyConfigCommand_NothingRuns()
    {
        var result = ConfigLoader.Load("config_command = ''\nlisten_addr = 'localhost:1'");

        Assert.Empty(result.Errors);
        Assert.Equal("localhost:1", result.Options.ListenAddr);
    }

    private string Script(string body)
    {
        var path = temp.Combine("config-command-" + Guid.NewGuid().ToString("N")[..8] + ".sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
