using System.Text;
using System.Text.Json;
using Lode.Core.Configuration;
using Lode.Server.Gitlab;
using Lode.Server.Metrics;
using Lode.TestKit;
using Lode.TestKit.Gitlab;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lode.Server.Tests.Gitlab;

public sealed class GitlabHttpClientTests : IAsyncLifetime
{
    private readonly TempDirectory temp = new("lode-gitlab-");
    private FakeGitlab tcp = null!;
    private FakeGitlab unix = null!;

    public async Task InitializeAsync()
    {
        tcp = await FakeGitlab.StartAsync();
        unix = await FakeGitlab.StartAsync(temp.Combine("gitlab.socket"), relativeUrlRoot: "/gitlab/");
    }

    public async Task DisposeAsync()
    {
        await tcp.DisposeAsync();
        await unix.DisposeAsync();
        temp.Dispose();
    }

    private static IGitlabClient Client(string url, string? relativeRoot = null, string secret = FakeGitlab.Secret,
        GitlabHttpSettings? http = null, MetricsRegistry? metrics = null) =>
        GitlabClientFactory.Create(new LodeOptions
        {
            Gitlab = new GitlabOptions { Url = url, RelativeUrlRoot = relativeRoot, Secret = secret, HttpSettings = http ?? new GitlabHttpSettings() },
        }, "18.0.0", metrics?.Factory, NullLogger.Instance, TimeProvider.System);

    [Fact]
    public async Task Check_OverTcp_ReturnsGitlabFacts()
    {
        var client = Client(tcp.Url);

        var info = await client.CheckAsync(CancellationToken.None);

        Assert.Equal(new GitlabCheckInfo("17.9.0", "abc123", "v4", true), info);
        var request = Assert.Single(tcp.RequestsTo("/check"));
        Assert.True(request.JwtValid);
        Assert.Equal("gitaly/18.0.0", request.UserAgent);
    }

    [Fact]
    public async Task KeptConnection_ClosedByGitlabWhileIdle_NextCallConnectsAgain()
    {
        // GitLab (Puma) closes idle connections on its own schedule; a kept connection it has closed must not fail the
        // next call. This server answers one request per connection, keep-alive implied, then closes it.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var connections = 0;
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var connection = await listener.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref connections);
                var stream = connection.GetStream();
                var request = new StringBuilder();
                var buffer = new byte[4096];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                var body = """{"api_version":"v4","gitlab_version":"17.9.0","gitlab_revision":"abc123","redis":true}""";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"), stop.Token);
            }
        });
        var client = Client("http://" + listener.LocalEndpoint);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("17.9.0", (await client.CheckAsync(CancellationToken.None)).Version);
            await Task.Delay(50);
        }

        Assert.Equal(3, connections);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serving);
    }

    [Fact]
    public async Task Check_OverUnixSocketWithRelativeRoot_ReachesPrefixedPath()
    {
        Assert.StartsWith("http+unix://%2F", unix.Url, StringComparison.Ordinal);
        var client = Client(unix.Url, relativeRoot: "/gitlab/");

        var info = await client.CheckAsync(CancellationToken.None);

        Assert.Equal("17.9.0", info.Version);
        Assert.Single(unix.RequestsTo("/check"));
        Assert.Equal("http://unix/gitlab", ((GitlabHttpClient)client).BaseUrl);
    }

    [Fact]
    public async Task Requests_BasicAuthConfigured_AuthorizationHeaderSent()
    {
        var client = Client(tcp.Url, http: new GitlabHttpSettings { User = "gitaly", Password = "s3cret" });

        await client.PreReceiveAsync("project-9", CancellationToken.None);

        var request = tcp.RequestsTo("/pre_receive")[^1];
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("gitaly:s3cret")), request.Authorization);
        Assert.Equal("""{"gl_repository":"project-9"}""", request.Body);
    }

    [Fact]
    public async Task Requests_WrongSecret_GitlabMessage()
    {
        var client = Client(tcp.Url, secret: "not-the-secret");

        var e = await Assert.ThrowsAsync<GitlabApiException>(() => client.CheckAsync(CancellationToken.None));

        Assert.Equal("HTTP GET to GitLab endpoint /check failed: 401 Unauthorized", e.Message);
    }

    [Fact]
    public async Task Requests_NothingListening_InternalApiUnreachable()
    {
        var client = Client("http+unix://" + Uri.EscapeDataString(temp.Combine("nobody.socket")));

        var check = await Assert.ThrowsAsync<GitlabApiException>(() => client.CheckAsync(CancellationToken.None));
        var allowed = await Assert.ThrowsAsync<GitlabApiException>(() => client.AllowedAsync(new AllowedParams
        {
            RepoPath = "/repo", GlRepository = "project-1", GlId = "user-1", Protocol = "web", Changes = "",
        }, CancellationToken.None));

        Assert.Equal("HTTP GET to GitLab endpoint /check failed: Internal API unreachable", check.Message);
        Assert.Equal("Internal API unreachable", allowed.Message);
    }

    [Fact]
    public async Task PostReceive_NoPushOptions_NullInBody()
    {
        var client = Client(tcp.Url);

        var result = await client.PostReceiveAsync("project-1", "key-5", "a b c\n", [], CancellationToken.None);

        Assert.True(result.ReferenceCounterDecreased);
        using var json = JsonDocument.Parse(tcp.RequestsTo("/post_receive")[^1].Body);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("push_options").ValueKind);
        Assert.Equal("key-5", json.RootElement.GetProperty("identifier").GetString());
    }

    [Fact]
    public async Task Requests_Recorded_InLatencyMetricPerEndpoint()
    {
        var metrics = new MetricsRegistry();
        var client = Client(tcp.Url, metrics: metrics);

        await client.CheckAsync(CancellationToken.None);
        await client.PreReceiveAsync("project-1", CancellationToken.None);

        var text = await metrics.ScrapeAsync(CancellationToken.None);
        Assert.Contains("gitaly_gitlab_api_latency_seconds_count{endpoint=\"check\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("gitaly_gitlab_api_latency_seconds_count{endpoint=\"pre-receive\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownScheme_Refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Client("ftp://gitlab"));

        Assert.Equal("unknown GitLab URL prefix", e.Message);
    }

    [Fact]
    public void Create_NoUrl_StandaloneClient()
    {
        var client = GitlabClientFactory.Create(new LodeOptions(), "1", null, NullLogger.Instance, TimeProvider.System);

        Assert.False(client.IsConfigured);
    }

    [Fact]
    public void Create_SecretFromGitlabShellDir_ReadFromDefaultFile()
    {
        var shell = temp.Combine("gitlab-shell");
        Directory.CreateDirectory(shell);
        File.WriteAllText(Path.Combine(shell, ".gitlab_shell_secret"), "from-file\n");

        var secret = GitlabClientFactory.ReadSecret(new LodeOptions { GitlabShell = new GitlabShellOptions { Dir = shell } });

        Assert.Equal("from-file\n", secret);
        Assert.Throws<InvalidOperationException>(() => GitlabClientFactory.ReadSecret(new LodeOptions()));
    }

    [Fact]
    public void Jwt_Shape_Hs256GitlabShellOneMinute()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        var token = GitlabJwt.Create(" secret \n", now);

        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal("""{"alg":"HS256","typ":"JWT"}""", Decode(parts[0]));
        Assert.Equal("""{"iss":"gitlab-shell","exp":1700000060,"iat":1700000000}""", Decode(parts[1]));
        var signature = System.Security.Cryptography.HMACSHA256.HashData("secret"u8, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        Assert.Equal(Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_'), parts[2]);
    }

    private static string Decode(string part)
    {
        var s = part.Replace('-', '+').Replace('_', '/');
        return Encoding.UTF8.GetString(Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=')));
    }
}
