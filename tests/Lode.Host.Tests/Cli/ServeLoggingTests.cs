using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gitaly;
using Grpc.Core;
using Grpc.Net.Client;
using Lode.TestKit;

namespace Lode.Host.Tests.Cli;

/// <summary>
/// What <c>lode serve</c> writes to stdout in each <c>[logging] format</c>: Gitaly's field names, one access-log line
/// per RPC (spec §11), and nothing that a log shipper could not parse.
/// </summary>
public sealed partial class ServeLoggingTests : IDisposable
{
    private readonly TempDirectory temp = new("lode-host-test-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Serve_JsonFormat_OneAccessLogLinePerRpcWithGitalyFields()
    {
        var port = FreePort.Next();
        var config = TestConfig.Write(temp.Path, TestConfig.Toml(temp.Path, port, "[logging]\nformat = 'json'\n"));
        using var lode = LodeProcess.Start(["serve", "--config", config], temp.Path);
        await lode.WaitForPortAsync(port, TimeSpan.FromSeconds(30));

        var calls = new Dictionary<string, string>
        {
            ["corr-json-1"] = "@hashed/aa/bb/one.git",
            ["corr-json-2"] = "group/two.git",
            ["corr-json-3"] = "three.git",
        };
        using (var channel = GrpcChannel.ForAddress("http://127.0.0.1:" + port))
        {
            var client = new RepositoryService.RepositoryServiceClient(channel);
            foreach (var (correlationId, path) in calls)
            {
                var reply = await client.RepositoryExistsAsync(
                    new RepositoryExistsRequest { Repository = new Repository { StorageName = "default", RelativePath = path } },
                    new Metadata { { "x-gitlab-correlation-id", correlationId } }, DateTime.UtcNow.AddSeconds(30));
                Assert.False(reply.Exists);
            }
        }

        lode.Terminate();
        Assert.Equal(0, await lode.WaitForExitAsync(TimeSpan.FromSeconds(15)));

        var lines = lode.StdoutLines.Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        var entries = new List<JsonElement>();
        foreach (var line in lines)
        {
            try
            {
                entries.Add(JsonDocument.Parse(line).RootElement);
            }
            catch (JsonException e)
            {
                Assert.Fail($"stdout line is not JSON ({e.Message}): {line}");
            }
        }

        foreach (var entry in entries)
        {
            Assert.Equal(JsonValueKind.Object, entry.ValueKind);
            AssertTime(entry.GetProperty("time").GetString()!);
            Assert.Contains(entry.GetProperty("level").GetString(), (string[])["debug", "info", "warning"]);
            Assert.Equal(lode.Id, entry.GetProperty("pid").GetInt32());
            Assert.Equal(JsonValueKind.String, entry.GetProperty("msg").ValueKind);
        }

        var access = entries.Where(e => e.GetProperty("msg").GetString()!.StartsWith("finished unary call", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, access.Count);
        foreach (var entry in access)
        {
            var correlationId = entry.GetProperty("correlation_id").GetString()!;
            Assert.True(calls.ContainsKey(correlationId), "unexpected correlation_id " + correlationId);
            Assert.Equal("info", entry.GetProperty("level").GetString());
            Assert.Equal("finished unary call with code OK", entry.GetProperty("msg").GetString());
            Assert.Equal("gitaly.RepositoryService", entry.GetProperty("grpc.service").GetString());
            Assert.Equal("RepositoryExists", entry.GetProperty("grpc.method").GetString());
            Assert.Equal("OK", entry.GetProperty("grpc.code").GetString());
            Assert.Equal(JsonValueKind.Number, entry.GetProperty("grpc.time_ms").ValueKind);
            Assert.True(entry.GetProperty("grpc.time_ms").GetDouble() >= 0);
            Assert.Equal("default", entry.GetProperty("grpc.request.repoStorage").GetString());
            Assert.Equal(calls[correlationId], entry.GetProperty("grpc.request.repoPath").GetString());
        }

        Assert.Equal(calls.Keys.Order(StringComparer.Ordinal), access.Select(e => e.GetProperty("correlation_id").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Serve_TextFormat_LogrusLines()
    {
        var port = FreePort.Next();
        var config = TestConfig.Write(temp.Path, TestConfig.Toml(temp.Path, port));
        using var lode = LodeProcess.Start(["serve", "--config", config], temp.Path);
        await lode.WaitForPortAsync(port, TimeSpan.FromSeconds(30));

        using (var channel = GrpcChannel.ForAddress("http://127.0.0.1:" + port))
        {
            await new RepositoryService.RepositoryServiceClient(channel).RepositoryExistsAsync(
                new RepositoryExistsRequest { Repository = new Repository { StorageName = "default", RelativePath = "text.git" } },
                new Metadata { { "x-gitlab-correlation-id", "corr-text" } }, DateTime.UtcNow.AddSeconds(30));
        }

        lode.Terminate();
        Assert.Equal(0, await lode.WaitForExitAsync(TimeSpan.FromSeconds(15)));

        var lines = lode.StdoutLines.Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var match = LogrusLine().Match(line);
            Assert.True(match.Success, "not a logrus text line: " + line);
            AssertTime(match.Groups["time"].Value);
            Assert.Contains($" pid={lode.Id}", line, StringComparison.Ordinal);
        }

        var access = Assert.Single(lines, l => l.Contains("msg=\"finished unary call", StringComparison.Ordinal));
        Assert.Contains(" level=info msg=\"finished unary call with code OK\" ", access, StringComparison.Ordinal);
        Assert.Contains(" correlation_id=corr-text", access, StringComparison.Ordinal);
        Assert.Contains(" grpc.service=gitaly.RepositoryService", access, StringComparison.Ordinal);
        Assert.Contains(" grpc.method=RepositoryExists", access, StringComparison.Ordinal);
        Assert.Contains(" grpc.code=OK", access, StringComparison.Ordinal);
        Assert.Contains(" grpc.request.repoStorage=default", access, StringComparison.Ordinal);
        Assert.Contains(" grpc.request.repoPath=text.git", access, StringComparison.Ordinal);
        Assert.Matches(@" grpc\.time_ms=\d+(\.\d+)?( |$)", access);
    }

    private static void AssertTime(string time) =>
        Assert.True(DateTime.TryParseExact(time, "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out _),
            "time not in Gitaly's format: " + time);

    // logrus: time="…" level=… msg=<bare or quoted> then key=value pairs.
    [GeneratedRegex("""^time="(?<time>[^"]+)" level=(debug|info|warning|error|fatal) msg=("([^"\\]|\\.)*"|[^ "]+)( |$)""")]
    private static partial Regex LogrusLine();
}
