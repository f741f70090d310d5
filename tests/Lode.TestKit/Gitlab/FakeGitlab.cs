using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Lode.TestKit.Gitlab;

/// <summary>
/// A stand-in for GitLab's internal API (<c>/api/v4/internal/*</c>): a real HTTP server on 127.0.0.1:0 or on a unix
/// socket. Every request is recorded with whether its <c>Gitlab-Shell-Api-Request</c> JWT was valid (HS256 with
/// <see cref="Secret"/>, issuer gitlab-shell, a one-minute lifetime); a request without a valid one gets 401. Answers
/// are set per endpoint by the test.
/// </summary>
public sealed class FakeGitlab : IAsyncDisposable
{
    public const string Secret = "fake-gitlab-secret";

    private readonly WebApplication app;

    private FakeGitlab(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    /// <summary>The <c>[gitlab] url</c> that reaches this server.</summary>
    public string Url { get; }

    public ConcurrentQueue<GitlabRequest> Requests { get; } = new();

    /// <summary>The answer to <c>POST /allowed</c>; allowed by default.</summary>
    public Func<JsonElement, FakeAnswer> Allowed { get; set; } = _ => FakeAnswer.Json(200, """{"status":true,"message":""}""");

    public Func<JsonElement, FakeAnswer> PreReceive { get; set; } = _ => FakeAnswer.Json(200, """{"reference_counter_increased":true}""");

    public Func<JsonElement, FakeAnswer> PostReceive { get; set; } =
        _ => FakeAnswer.Json(200, """{"reference_counter_decreased":true,"messages":[]}""");

    /// <summary>The answer to <c>GET /lfs?oid=…&amp;gl_repository=…</c> (oid, gl_repository); not found by default.</summary>
    public Func<string, string, FakeAnswer> Lfs { get; set; } = (_, _) => FakeAnswer.Json(404, """{"message":"404 Not Found"}""");

    public Func<FakeAnswer> Check { get; set; } =
        () => FakeAnswer.Json(200, """{"gitlab_version":"17.9.0","gitlab_revision":"abc123","api_version":"v4","redis":true}""");

    /// <summary>Requests to one endpoint (e.g. <c>/allowed</c>), oldest first.</summary>
    public IReadOnlyList<GitlabRequest> RequestsTo(string endpoint) =>
        Requests.Where(r => r.Path == "/api/v4/internal" + endpoint).ToList();

    /// <summary>Starts on a free loopback port, or on <paramref name="unixSocket"/> (then the URL is <c>http+unix://</c>).</summary>
    public static async Task<FakeGitlab> StartAsync(string? unixSocket = null, string relativeUrlRoot = "")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (unixSocket is null)
            {
                kestrel.Listen(System.Net.IPAddress.Loopback, 0);
            }
            else
            {
                kestrel.ListenUnixSocket(unixSocket);
            }
        });

        var app = builder.Build();
        FakeGitlab? fake = null;
        var prefix = relativeUrlRoot.Trim('/').Length == 0 ? "" : "/" + relativeUrlRoot.Trim('/');
        app.Run(async context => await fake!.HandleAsync(context, prefix));
        await app.StartAsync();

        string url;
        if (unixSocket is null)
        {
            var address = app.Services.GetService(typeof(IServer)) is IServer server
                ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First()
                : throw new InvalidOperationException("no server");
            url = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + prefix;
        }
        else
        {
            url = "http+unix://" + Uri.EscapeDataString(unixSocket);
        }

        fake = new FakeGitlab(app, url);
        return fake;
    }

    private async Task HandleAsync(HttpContext context, string prefix)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value ?? "";
        if (prefix.Length > 0 && path.StartsWith(prefix, StringComparison.Ordinal))
        {
            path = path[prefix.Length..];
        }

        var jwt = context.Request.Headers["Gitlab-Shell-Api-Request"].ToString();
        var request = new GitlabRequest(context.Request.Method, path, body, JwtIsValid(jwt),
            context.Request.Headers.UserAgent.ToString(), context.Request.Headers.ContentType.ToString(),
            context.Request.Headers.Authorization.ToString(), context.Request.Headers["X-Forwarded-For"].ToString(),
            context.Request.Headers.Connection.ToString(), context.Connection.Id);
        Requests.Enqueue(request);

        FakeAnswer answer;
        if (!request.JwtValid)
        {
            answer = FakeAnswer.Json(401, """{"message":"401 Unauthorized"}""");
        }
        else
        {
            var json = body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
            answer = (context.Request.Method, path) switch
            {
                ("POST", "/api/v4/internal/allowed") => Allowed(json),
                ("POST", "/api/v4/internal/pre_receive") => PreReceive(json),
                ("POST", "/api/v4/internal/post_receive") => PostReceive(json),
                ("GET", "/api/v4/internal/check") => Check(),
                ("GET", "/api/v4/internal/lfs") => Lfs(context.Request.Query["oid"].ToString(), context.Request.Query["gl_repository"].ToString()),
                _ => FakeAnswer.Json(404, """{"message":"404 Not Found"}"""),
            };
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        await context.Response.WriteAsync(answer.Body);
    }

    /// <summary>Checks the JWT as GitLab does: HS256 with the secret, issuer gitlab-shell, not expired.</summary>
    private static bool JwtIsValid(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, FromBase64Url(parts[2])))
        {
            return false;
        }

        using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
        using var claims = JsonDocument.Parse(FromBase64Url(parts[1]));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return header.RootElement.GetProperty("alg").GetString() == "HS256" &&
            claims.RootElement.GetProperty("iss").GetString() == "gitlab-shell" &&
            claims.RootElement.GetProperty("exp").GetInt64() > now &&
            claims.RootElement.GetProperty("exp").GetInt64() - claims.RootElement.GetProperty("iat").GetInt64() == 60;
    }

    private static byte[] FromBase64Url(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>One request the fake GitLab received.</summary>
public sealed record GitlabRequest(string Method, string Path, string Body, bool JwtValid, string UserAgent, string ContentType,
    string Authorization, string ForwardedFor, string Connection, string ConnectionId)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
}

/// <summary>What the fake answers: a status, a content type, a body.</summary>
public sealed record FakeAnswer(int Status, string ContentType, string Body)
{
    public static FakeAnswer Json(int status, string body) => new(status, "application/json", body);
}
