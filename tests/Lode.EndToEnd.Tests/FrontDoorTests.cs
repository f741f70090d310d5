using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Lode.TestKit;

namespace Lode.EndToEnd.Tests;

/// <summary>The transport scenarios through Lode's smart HTTP listener (<c>[lode.http]</c>).</summary>
public sealed class FrontDoorTests(EndToEndFixture server) : TransportScenarios(server), IClassFixture<EndToEndFixture>
{
    protected override string Remote(TestRepo repo) => Server.Url(repo);

    protected override IReadOnlyDictionary<string, string> Env => new Dictionary<string, string>();

    [Theory]
    [InlineData("git-upload-pack", "")]
    [InlineData("git-upload-pack", "version=2")]
    [InlineData("git-receive-pack", "")]
    public async Task InfoRefs_ServiceAdvertisement_PreambleAndContentType(string service, string protocol)
    {
        var repo = await Server.CreateRepoAsync();
        await repo.CommitAsync();
        using var http = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{repo.RelativePath}/info/refs?service={service}");
        if (protocol.Length > 0)
        {
            request.Headers.Add("Git-Protocol", protocol);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"application/x-{service}-advertisement", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith(Encoding.ASCII.GetString(GitWire.Pkt($"# service={service}\n")) + "0000", body);
        Assert.Equal(protocol.Length > 0, body.Contains("version 2\n", StringComparison.Ordinal));
        Assert.Contains("no-cache", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task UploadPack_GzipRequestBody_Decompressed()
    {
        var repo = await Server.CreateRepoAsync();
        var tip = await repo.CommitAsync();
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(GitWire.FetchV0([tip], "ofs-delta no-progress"));
        }

        using var http = Client();
        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-git-upload-pack-request");
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await http.PostAsync($"/{repo.RelativePath}/git-upload-pack", content);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-git-upload-pack-result", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("0008NAK\n", GitWire.Text(body[..8]));
        Assert.True(response.Headers.TransferEncodingChunked);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("git:wrong", HttpStatusCode.Unauthorized)]
    [InlineData("anyone:" + EndToEndFixture.Token, HttpStatusCode.OK)]
    public async Task InfoRefs_Credentials_TokenIsThePassword(string? credentials, HttpStatusCode expected)
    {
        var repo = await Server.CreateRepoAsync();
        using var http = new HttpClient { BaseAddress = new Uri("http://" + Server.Endpoints.Http) };
        if (credentials is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }

        using var response = await http.GetAsync(new Uri($"/{repo.RelativePath}/info/refs?service=git-upload-pack", UriKind.Relative));

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Fact]
    public async Task Clone_WrongPassword_GitFails()
    {
        var repo = await Server.CreateRepoAsync();
        await repo.CommitAsync();
        using var work = new TempDirectory();

        var run = await Git.RunAsync(work.Path, null, "clone", "-q", $"http://git:wrong@{Server.Endpoints.Http}/{repo.RelativePath}", "clone");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Authentication failed", run.Stderr);
    }

    [Theory]
    [InlineData("GET", "/nope.git/info/refs?service=git-upload-pack", HttpStatusCode.NotFound)]
    [InlineData("GET", "/x.git/info/refs?service=dumb", HttpStatusCode.NotFound)]
    [InlineData("POST", "/x.git/info/refs?service=git-upload-pack", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/x.git/git-upload-pack", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/x.git/HEAD", HttpStatusCode.NotFound)]
    public async Task Requests_Unserved_HttpErrors(string method, string path, HttpStatusCode expected)
    {
        var repo = await Server.CreateRepoAsync(relativePath: "x.git");
        using var http = Client();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.NotNull(repo);
    }

    private HttpClient Client()
    {
        var http = new HttpClient { BaseAddress = new Uri("http://" + Server.Endpoints.Http) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("git:" + EndToEndFixture.Token)));
        return http;
    }
}
