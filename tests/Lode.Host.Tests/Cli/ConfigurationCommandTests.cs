using System.Text.Json;
using Lode.TestKit;

namespace Lode.Host.Tests.Cli;

/// <summary><c>lode configuration validate &lt; config.toml</c>, as <c>gitaly configuration validate</c>.</summary>
public sealed class ConfigurationCommandTests : IDisposable
{
    private readonly TempDirectory temp = new("lode-host-test-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Validate_ValidConfig_ExitsZeroWithoutOutput()
    {
        var result = await LodeProcess.RunAsync(temp.Path, TestConfig.Toml(temp.Path, 8075), "configuration", "validate");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Validate_SeveralProblems_ExitsTwoAndListsAll()
    {
        var missingBin = temp.Combine("no-bin");
        var missingStorage = temp.Combine("no-storage");
        var toml = $"""
            listen_addr = '0.0.0.0:8075'
            bin_dir = '{missingBin}'

            [[storage]]
            name = 'default'
            path = '{missingStorage}'

            [logging]
            format = 'xml'

            [[git.config]]
            key = 'nodot'
            value = 'x'

            [daily_maintenance]
            storages = ['nope']
            """;

        var result = await LodeProcess.RunAsync(temp.Path, toml, "configuration", "validate");

        Assert.True(result.ExitCode == 2, result.Stdout + result.Stderr);
        Assert.Equal(
            [
                ("listen_addr", "refusing to listen on non-loopback address \"0.0.0.0:8075\" without an authentication token: " +
                    "set [auth] token in the config file or the LODE_AUTH_TOKEN environment variable"),
                ("bin_dir", $"path doesn't exist: \"{missingBin}\""),
                ("storage.path", $"storage path \"{missingStorage}\" for storage \"default\" doesn't exist"),
                ("logging.format", "invalid format \"xml\": expected text or json"),
                ("git.config.key", "invalid config key \"nodot\""),
                ("daily_maintenance.storages", "storage \"nope\" undefined"),
            ],
            ParseErrors(result.Stdout));
    }

    [Fact]
    public async Task Validate_EmptyInput_ReportsMissingEssentials()
    {
        var result = await LodeProcess.RunAsync(temp.Path, "", "configuration", "validate");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            [
                ("", "at least one of socket_path, listen_addr or tls_listen_addr must be set"),
                ("bin_dir", "is not set"),
                ("storage", "no storage configurations found. Are you using the right format? https://gitlab.com/gitlab-org/gitaly/issues/1575"),
            ],
            ParseErrors(result.Stdout));
    }

    [Fact]
    public async Task Validate_Garbage_ExitsTwoWithOneError()
    {
        var result = await LodeProcess.RunAsync(temp.Path, "<?xml version=\"1.0\"?>\n<config/>\n", "configuration", "validate");

        Assert.Equal(2, result.ExitCode);
        var (key, message) = Assert.Single(ParseErrors(result.Stdout));
        Assert.Equal("", key);
        Assert.StartsWith("invalid TOML: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_WrongType_OnlyTheTypeErrorIsReported()
    {
        var result = await LodeProcess.RunAsync(temp.Path, "listen_addr = 5\n", "configuration", "validate");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([("listen_addr", "expected a string")], ParseErrors(result.Stdout));
    }

    /// <summary>The errors as (dotted key, message); the key array is joined so that tuples compare by value.</summary>
    private static List<(string Key, string Message)> ParseErrors(string stdout)
    {
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(["errors"], json.RootElement.EnumerateObject().Select(p => p.Name));
        var result = new List<(string Key, string Message)>();
        foreach (var error in json.RootElement.GetProperty("errors").EnumerateArray())
        {
            Assert.Equal(["key", "message"], error.EnumerateObject().Select(p => p.Name));
            var key = error.GetProperty("key").EnumerateArray().Select(k => k.GetString()!);
            result.Add((string.Join('.', key), error.GetProperty("message").GetString()!));
        }

        return result;
    }
}
