using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lode.Core.Configuration;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Lode.Server.Gitlab;

/// <summary>
/// GitLab's internal API over HTTP (spec §8.5), as Gitaly calls it: base URL <c>http+unix://&lt;%-escaped socket&gt;</c>
/// (host <c>unix</c>, plus <c>relative_url_root</c>), <c>http://</c> or <c>https://</c> (extra CAs from
/// <c>ca_file</c>/<c>ca_path</c>, the <c>[tls]</c> pair as client certificate); every request carries the JWT, the
/// <c>User-Agent</c>, optional basic auth, and is made on a fresh connection. Latency is recorded in
/// <c>gitaly_gitlab_api_latency_seconds{endpoint}</c>.
/// </summary>
public sealed partial class GitlabHttpClient : IGitlabClient, IDisposable
{
    private const string InternalApiPath = "/api/v4/internal";
    private const string UnixSocketScheme = "http+unix://";

    /// <summary>How long an idle connection to GitLab is kept for the next call.</summary>
    private static readonly TimeSpan IdleConnectionTimeout = TimeSpan.FromSeconds(10);

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HttpClient http;
    private readonly string baseUrl;
    private readonly string secret;
    private readonly string? user;
    private readonly string? password;
    private readonly string userAgent;
    private readonly Histogram? latency;
    private readonly ILogger logger;
    private readonly TimeProvider time;

    public GitlabHttpClient(GitlabOptions gitlab, TlsOptions tls, string secret, string version, Histogram? latency, ILogger logger,
        TimeProvider time)
    {
        var url = Uri.UnescapeDataString(gitlab.Url ?? "");
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,

            // Gitaly opens a connection per call; Lode keeps them (a push makes three calls, each saving a connect, and
            // with https a TLS handshake). Idle ones are closed well before Puma's 20 s persistent timeout, so that the
            // server is not the side that closes a connection a request is being sent on.
            PooledConnectionIdleTimeout = IdleConnectionTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (url.StartsWith(UnixSocketScheme, StringComparison.Ordinal))
        {
            var socketPath = url[UnixSocketScheme.Length..];
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
            var root = (gitlab.RelativeUrlRoot ?? "").Trim('/');
            baseUrl = root.Length == 0 ? "http://unix" : "http://unix/" + root;
        }
        else if (url.StartsWith("http://", StringComparison.Ordinal))
        {
            baseUrl = url.TrimEnd('/');
        }
        else if (url.StartsWith("https://", StringComparison.Ordinal))
        {
            baseUrl = url.TrimEnd('/');
            handler.SslOptions = TlsSettings(gitlab.HttpSettings, tls);
        }
        else
        {
            throw new InvalidOperationException("unknown GitLab URL prefix");
        }

        var readTimeout = gitlab.HttpSettings.ReadTimeout > TimeSpan.Zero ? gitlab.HttpSettings.ReadTimeout : TimeSpan.FromSeconds(300);
        http = new HttpClient(handler) { Timeout = readTimeout };
        this.secret = secret;
        user = gitlab.HttpSettings.User;
        password = gitlab.HttpSettings.Password;
        userAgent = "gitaly/" + version;
        this.latency = latency;
        this.logger = logger;
        this.time = time;
    }

    public bool IsConfigured => true;

    /// <summary>The base every internal API path is appended to (for logs and tests).</summary>
    public string BaseUrl => baseUrl;

    public async Task<AllowedResult> AllowedAsync(AllowedParams parameters, CancellationToken cancellationToken)
    {
        using var timer = Time("allowed");
        var body = new Dictionary<string, object?>
        {
            ["action"] = "git-receive-pack",
            ["gl_repository"] = parameters.GlRepository,
            ["project"] = parameters.RepoPath.Replace("'", "", StringComparison.Ordinal),
            ["relative_path"] = parameters.RelativePath,
            ["changes"] = parameters.Changes,
            ["protocol"] = parameters.Protocol,
            ["env"] = ObjectDirectoriesEnv(parameters.GitObjectDirectory, parameters.GitAlternateObjectDirectories),
        };
        SetGlId(body, parameters.GlId);
        foreach (var key in body.Where(p => p.Value is "").Select(p => p.Key).ToList())
        {
            body.Remove(key);
        }

        using var response = await SendAsync(HttpMethod.Post, "/allowed", body, parameters.RemoteIp, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.MultipleChoices))
        {
            throw new GitlabApiException($"gitlab api is not accessible: {(int)response.StatusCode}");
        }

        using var json = await ReadJsonAsync(response, "/allowed endpoint respond with unsupported content type",
            "decoding response from /allowed endpoint", cancellationToken);
        var root = json.RootElement;
        return new AllowedResult(
            root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.True,
            root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString()! : "");
    }

    public async Task<bool> PreReceiveAsync(string glRepository, CancellationToken cancellationToken)
    {
        using var timer = Time("pre-receive");
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(HttpMethod.Post, "/pre_receive", new Dictionary<string, object?> { ["gl_repository"] = glRepository },
                null, cancellationToken);
        }
        catch (GitlabApiException e)
        {
            throw new GitlabApiException("http post to gitlab api /pre_receive endpoint: " + e.Message, e);
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new GitlabApiException($"pre-receive call failed with status: {(int)response.StatusCode}");
            }

            using var json = await ReadJsonAsync(response, "/pre_receive endpoint respond with unsupported content type",
                "decoding response from /pre_receive endpoint", cancellationToken);
            return json.RootElement.TryGetProperty("reference_counter_increased", out var increased) && increased.ValueKind == JsonValueKind.True;
        }
    }

    public async Task<PostReceiveResult> PostReceiveAsync(string glRepository, string glId, string changes, IReadOnlyList<string> pushOptions,
        CancellationToken cancellationToken)
    {
        using var timer = Time("post-receive");
        var body = new Dictionary<string, object?>
        {
            ["changes"] = changes,
            ["gl_repository"] = glRepository,
            ["identifier"] = glId,
            ["push_options"] = pushOptions.Count == 0 ? null : pushOptions,
        };

        HttpResponseMessage response;
        try
        {
            response = await SendAsync(HttpMethod.Post, "/post_receive", body, null, cancellationToken);
        }
        catch (GitlabApiException e)
        {
            throw new GitlabApiException("http post to gitlab api /post_receive endpoint: " + e.Message, e);
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new GitlabApiException($"post-receive call failed with status: {(int)response.StatusCode}");
            }

            using var json = await ReadJsonAsync(response, "/post_receive endpoint respond with unsupported content type",
                "decoding response from /post_receive endpoint", cancellationToken);
            var root = json.RootElement;
            var messages = new List<PostReceiveMessage>();
            if (root.TryGetProperty("messages", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    messages.Add(new PostReceiveMessage(StringOf(item, "message"), StringOf(item, "type")));
                }
            }

            return new PostReceiveResult(
                root.TryGetProperty("reference_counter_decreased", out var decreased) && decreased.ValueKind == JsonValueKind.True, messages);
        }
    }

    public async Task<Stream?> GetLfsObjectAsync(string oid, string glRepository, CancellationToken cancellationToken)
    {
        var query = "?oid=" + Uri.EscapeDataString(oid) + "&gl_repository=" + Uri.EscapeDataString(glRepository);
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(HttpMethod.Get, "/lfs" + query, null, null, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (GitlabApiException e) when (e.InnerException is null)
        {
            // GitLab answered, but not with the object: the pointer is archived as it is.
            return null;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            response.Dispose();
            return null;
        }

        // The content stream owns the connection; disposing it releases both.
        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }

    public async Task<GitlabCheckInfo> CheckAsync(CancellationToken cancellationToken)
    {
        using var timer = Time("check");
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(HttpMethod.Get, "/check", null, null, cancellationToken);
        }
        catch (GitlabApiException e)
        {
            throw new GitlabApiException("HTTP GET to GitLab endpoint /check failed: " + e.Message, e);
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new GitlabApiException($"Check HTTP request failed with status: {(int)response.StatusCode}");
            }

            JsonDocument json;
            try
            {
                json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            }
            catch (JsonException e)
            {
                throw new GitlabApiException("failed to decode response from /check endpoint: " + e.Message, e);
            }

            using (json)
            {
                var root = json.RootElement;
                return new GitlabCheckInfo(StringOf(root, "gitlab_version"), StringOf(root, "gitlab_revision"), StringOf(root, "api_version"),
                    root.TryGetProperty("redis", out var redis) && redis.ValueKind == JsonValueKind.True);
            }
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>
    /// Sends one request. Answers 200–399 are returned; any other is turned into GitLab's <c>message</c> (or
    /// <c>Internal API error (&lt;code&gt;)</c>), a network failure into <c>Internal API unreachable</c>.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, string? remoteIp, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, baseUrl + InternalApiPath + path);
        request.Headers.TryAddWithoutValidation(GitlabJwt.HeaderName, GitlabJwt.Create(secret, time.GetUtcNow()));
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        if (!string.IsNullOrEmpty(user) && !string.IsNullOrEmpty(password))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        }

        if (!string.IsNullOrEmpty(remoteIp))
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", remoteIp);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, JsonOptions));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException ||
                                  (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnreachable(logger, method.Method, request.RequestUri, e.Message);
            throw new GitlabApiException("Internal API unreachable", e);
        }

        var statusCode = (int)response.StatusCode;
        var elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogFinished(logger, method.Method, request.RequestUri, statusCode, elapsedMs);
        if (statusCode is >= 200 and <= 399)
        {
            return response;
        }

        using (response)
        {
            string message;
            try
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
                message = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("message", out var m) &&
                    m.ValueKind == JsonValueKind.String
                    ? m.GetString()!
                    : "";
            }
            catch (JsonException)
            {
                message = $"Internal API error ({statusCode})";
            }

            LogApiError(logger, method.Method, request.RequestUri, statusCode, message);
            throw new GitlabApiException(message);
        }
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, string contentTypeError, string decodeError,
        CancellationToken cancellationToken)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (string.IsNullOrEmpty(mediaType))
        {
            throw new GitlabApiException(contentTypeError + ": mime: no media type");
        }

        if (!mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new GitlabApiException(contentTypeError + ": " + mediaType.ToLowerInvariant());
        }

        try
        {
            return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new GitlabApiException(decodeError + ": " + e.Message, e);
        }
    }

    /// <summary>
    /// Where <c>/allowed</c> finds the push's quarantine (spec §5.5), keys sorted as Go's encoder writes a map; an
    /// empty list is null, as a nil slice.
    /// </summary>
    private static string ObjectDirectoriesEnv(string objectDirectory, IReadOnlyList<string> alternates) =>
        JsonSerializer.Serialize(new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["GIT_ALTERNATE_OBJECT_DIRECTORIES_RELATIVE"] = alternates.Count == 0 ? null : alternates,
            ["GIT_OBJECT_DIRECTORY_RELATIVE"] = objectDirectory,
        }, JsonOptions);

    /// <summary>gl_id <c>user-N</c>, <c>key-N</c> or <c>username-NAME</c> becomes <c>user_id</c>, <c>key_id</c> or <c>username</c>.</summary>
    private static void SetGlId(Dictionary<string, object?> body, string glId)
    {
        string value;
        if (glId.StartsWith("username-", StringComparison.Ordinal))
        {
            body["username"] = glId["username-".Length..];
            return;
        }

        if (glId.StartsWith("key-", StringComparison.Ordinal))
        {
            value = glId["key-".Length..];
            body["key_id"] = value;
        }
        else if (glId.StartsWith("user-", StringComparison.Ordinal))
        {
            value = glId["user-".Length..];
            body["user_id"] = value;
        }
        else
        {
            value = "";
        }

        if (!Digits().IsMatch(value))
        {
            throw new GitlabApiException($"setting gl_id: gl_id='{glId}' is invalid");
        }
    }

    private static string StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : "";

    private IDisposable? Time(string endpoint) => latency?.WithLabels(endpoint).NewTimer();

    private static SslClientAuthenticationOptions TlsSettings(GitlabHttpSettings settings, TlsOptions tls)
    {
        var extraRoots = new X509Certificate2Collection();
        if (!string.IsNullOrEmpty(settings.CaFile))
        {
            if (!File.Exists(settings.CaFile))
            {
                throw new InvalidOperationException($"cannot find cafile '{settings.CaFile}': cafile not found");
            }

            TryImport(extraRoots, settings.CaFile);
        }

        if (!string.IsNullOrEmpty(settings.CaPath) && Directory.Exists(settings.CaPath))
        {
            foreach (var file in Directory.EnumerateFiles(settings.CaPath))
            {
                TryImport(extraRoots, file);
            }
        }

        var options = new SslClientAuthenticationOptions { EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 };
        if (!string.IsNullOrEmpty(tls.CertificatePath) && (!string.IsNullOrEmpty(tls.KeyPath) || !string.IsNullOrEmpty(tls.Key)))
        {
            var certificate = string.IsNullOrEmpty(tls.Key)
                ? X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath)
                : X509Certificate2.CreateFromPem(File.ReadAllText(tls.CertificatePath), tls.Key);
            options.ClientCertificates = [certificate];
        }

        // The system's roots, plus the configured ones: a chain that only the extra roots anchor is accepted too.
        options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || extraRoots.Count == 0 || errors != SslPolicyErrors.RemoteCertificateChainErrors)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return chain.Build(leaf);
        };
        return options;
    }

    private static void TryImport(X509Certificate2Collection collection, string file)
    {
        try
        {
            collection.ImportFromPemFile(file);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            // As Gitaly: a file that is not a certificate is skipped.
        }
    }

    [GeneratedRegex("\\A[0-9]+\\z")]
    private static partial Regex Digits();

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Finished HTTP request {method} {url}: {status} in {durationMs} ms")]
    private static partial void LogFinished(ILogger logger, string method, Uri? url, int status, long durationMs);

    // Warnings, not errors: an access denial is GitLab answering 4xx, which is a normal outcome of a push.
    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Internal API error {method} {url}: {status} {message}")]
    private static partial void LogApiError(ILogger logger, string method, Uri? url, int status, string message);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Internal API unreachable {method} {url}: {error}")]
    private static partial void LogUnreachable(ILogger logger, string method, Uri? url, string error);
}
