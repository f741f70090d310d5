using Gitaly;
using Grpc.Core;
using Grpc.Net.Client;
using Lode.Core.Configuration;
using Lode.Host.Hosting;
using Lode.Server.Auth;

namespace Lode.Benchmarks.Support;

/// <summary>
/// A Lode server in this process, configured as in production: v2 token auth on, a JSON access log line per call
/// (written to <see cref="Stream.Null"/>, so formatting and the log queue are paid for), Prometheus metrics on
/// their own listener, gRPC on TCP loopback. Clients are real <see cref="GrpcChannel"/>s over loopback.
/// </summary>
internal sealed class InProcessLode : IAsyncDisposable
{
    public const string Token = "benchmark-token";
    public const string StorageName = "default";

    private InProcessLode(ServerHost host, GrpcChannel channel, string storagePath)
    {
        Host = host;
        Channel = channel;
        StoragePath = storagePath;
    }

    public ServerHost Host { get; }

    public GrpcChannel Channel { get; }

    public string StoragePath { get; }

    /// <summary>The gRPC listener, for out-of-process clients (the Go client).</summary>
    public string GrpcAddress => Host.Endpoints.Tcp!.ToString();

    /// <summary>Lode's own smart HTTP listener (<c>[lode.http] listen_addr</c>), when started with it.</summary>
    public string? HttpAddress => Host.Endpoints.Http?.ToString();

    /// <param name="storagePath">The folder of storage <c>default</c>.</param>
    /// <param name="runtimeRoot">A folder for this server's runtime directory (sockets, hooks); one per server.</param>
    /// <param name="binDir">
    /// <c>bin_dir</c>: with the NativeAOT <c>lode-hooks</c> in it git's hooks start that; otherwise they run
    /// <c>dotnet lode.dll hooks &lt;name&gt;</c>.
    /// </param>
    /// <param name="smartHttp">Also listen for git over HTTP (<c>[lode.http]</c>).</param>
    /// <param name="gitlabUrl"><c>[gitlab] url</c>: pushes then ask GitLab's internal API (secret <see cref="GitlabInternalApi.Secret"/>).</param>
    public static async Task<InProcessLode> StartAsync(string storagePath, string runtimeRoot, string? binDir, bool smartHttp,
        CancellationToken cancellationToken, string? gitlabUrl = null)
    {
        Directory.CreateDirectory(runtimeRoot);
        var host = await ServerHost.StartAsync(new LodeOptions
        {
            ListenAddr = "127.0.0.1:0",
            PrometheusListenAddr = "127.0.0.1:0",
            BinDir = binDir ?? AppContext.BaseDirectory,
            RuntimeDir = runtimeRoot,
            Auth = new AuthOptions { Token = Token },
            Logging = new LoggingOptions { Format = "json", Level = Environment.GetEnvironmentVariable("BENCH_LOG_LEVEL") ?? "info" },
            Storages = [new StorageOptions(StorageName, storagePath)],
            Http = new LodeHttpOptions { ListenAddr = smartHttp ? "127.0.0.1:0" : null },
            Gitlab = gitlabUrl is null ? new GitlabOptions() : new GitlabOptions { Url = gitlabUrl, Secret = GitlabInternalApi.Secret },
        }, new ServerHostSettings { LogStream = LogStream() }, cancellationToken);

        // One HTTP/2 connection multiplexes every caller, as one Rails process shares a channel per Gitaly.
        var channel = GrpcChannel.ForAddress("http://" + host.Endpoints.Tcp, new GrpcChannelOptions { MaxReceiveMessageSize = null });
        return new InProcessLode(host, channel, storagePath);
    }

    /// <summary>
    /// Where the server's log goes: nowhere, or with <c>BENCH_LOG_FILE=PREFIX</c> to <c>PREFIX.&lt;random&gt;</c>, one file per
    /// server, to read the access log's <c>grpc.time_ms</c> of each call after a run.
    /// </summary>
    private static Stream LogStream() => Environment.GetEnvironmentVariable("BENCH_LOG_FILE") is { Length: > 0 } prefix
        ? File.Open(prefix + "." + Guid.NewGuid().ToString("N")[..6], FileMode.Create)
        : Stream.Null;

    public Repository Repository(string relativePath) => new()
    {
        StorageName = StorageName,
        RelativePath = relativePath,
        GlRepository = "project-1",
        GlProjectPath = "group/project",
    };

    /// <summary>
    /// Call headers as GitLab sends them: a fresh v2 token per call, a correlation id, and (Rails: one per web
    /// request) a session id, which lets the server reuse the session's cat-file processes.
    /// </summary>
    public static Metadata Headers(string? sessionId)
    {
        var headers = new Metadata
        {
            { "authorization", TokenValidator.CreateHeader(Token, DateTimeOffset.UtcNow) },
            { "x-gitlab-correlation-id", "bench" },
        };
        if (sessionId is not null)
        {
            headers.Add("gitaly-session-id", sessionId);
        }

        return headers;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Host.DisposeAsync();
    }
}
