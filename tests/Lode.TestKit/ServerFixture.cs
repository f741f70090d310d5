using System.Net;
using System.Net.Sockets;
using Gitaly;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Lode.Core.Configuration;
using Lode.Host.Hosting;
using Lode.Server.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Lode.TestKit;

/// <summary>
/// A real Lode server on loopback (style guide §2.10): the whole host pipeline on Kestrel at 127.0.0.1:0, with a
/// storage in a temp folder, and a real gRPC client. One per test class; repositories per test. Subclasses
/// change the config (token, unix socket, TLS). Disposal fails if a git child leaked or an unexpected error was
/// logged.
/// </summary>
public class ServerFixture : IAsyncLifetime
{
    public const string StorageName = "default";

    private ServerHost? host;

    public TempDirectory Root { get; } = new();

    public string StoragePath => Root.Combine("storage");

    public LogSink Logs { get; } = new();

    public LodeOptions Options { get; private set; } = new();

    internal ServerHost Host => host ?? throw new InvalidOperationException("server not started");

    public BoundEndpoints Endpoints => Host.Endpoints;

    /// <summary>The server's services (registries, metrics), for assertions on server-side state.</summary>
    public IServiceProvider Services => Host.Services;

    public GrpcChannel Channel { get; private set; } = null!;

    public CallInvoker Invoker { get; private set; } = null!;

    public RepositoryService.RepositoryServiceClient Repository => new(Invoker);

    public ServerService.ServerServiceClient Server => new(Invoker);

    public RefService.RefServiceClient Ref => new(Invoker);

    public CommitService.CommitServiceClient Commit => new(Invoker);

    public BlobService.BlobServiceClient Blob => new(Invoker);

    public DiffService.DiffServiceClient Diff => new(Invoker);

    public AnalysisService.AnalysisServiceClient Analysis => new(Invoker);

    public OperationService.OperationServiceClient Operation => new(Invoker);

    public SmartHTTPService.SmartHTTPServiceClient SmartHttp => new(Invoker);

    public SSHService.SSHServiceClient Ssh => new(Invoker);

    public HookService.HookServiceClient Hook => new(Invoker);

    public RemoteService.RemoteServiceClient Remote => new(Invoker);

    public ObjectPoolService.ObjectPoolServiceClient ObjectPool => new(Invoker);

    public CleanupService.CleanupServiceClient Cleanup => new(Invoker);

    public ConflictsService.ConflictsServiceClient Conflicts => new(Invoker);

    /// <summary>The token clients of this fixture send; null sends none.</summary>
    public virtual string? ClientToken => Options.Auth.Token.Length > 0 ? Options.Auth.Token : null;

    /// <summary>Number of git children the server has running right now.</summary>
    public int RunningProcesses => Host.Processes.Count;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(StoragePath);
        Options = Configure(new LodeOptions
        {
            ListenAddr = "127.0.0.1:0",
            PrometheusListenAddr = "127.0.0.1:0",
            BinDir = AppContext.BaseDirectory,
            RuntimeDir = Root.Path,
            GracefulRestartTimeout = TimeSpan.FromSeconds(10),
            Storages = [new StorageOptions(StorageName, StoragePath)],
        });

        host = await ServerHost.StartAsync(Options, new ServerHostSettings
        {
            ConsoleLogging = false,
            ConfigureLogging = logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug),
        }, CancellationToken.None);

        Channel = CreateChannel();
        Invoker = ClientToken is { } token ? Channel.Intercept(new TokenInterceptor(token)) : Channel.CreateCallInvoker();
    }

    /// <summary>Adjusts the options before start; override in fixture variants.</summary>
    protected virtual LodeOptions Configure(LodeOptions options) => options;

    /// <summary>A channel to the server's main listener (TCP unless the variant says otherwise).</summary>
    protected virtual GrpcChannel CreateChannel() => CreateTcpChannel();

    public GrpcChannel CreateTcpChannel() =>
        GrpcChannel.ForAddress("http://" + Endpoints.Tcp, new GrpcChannelOptions { MaxReceiveMessageSize = null });

    /// <summary>A channel over a unix socket (the main socket_path or the internal socket).</summary>
    public static GrpcChannel CreateUnixChannel(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler });
    }

    /// <summary>Creates an empty bare repository inside the storage, at a hashed-storage-like path.</summary>
    public async Task<TestRepo> CreateRepoAsync(string objectFormat = "sha1", string? relativePath = null)
    {
        relativePath ??= "@hashed/" + Guid.NewGuid().ToString("N") + ".git";
        return await TestRepo.CreateAsync(Path.Combine(StoragePath, relativePath), objectFormat, StoragePath);
    }

    /// <summary>The request's <c>Repository</c> message for a repository of this storage.</summary>
    public static Repository Proto(TestRepo repo) => new()
    {
        StorageName = StorageName,
        RelativePath = repo.RelativePath,
        GlRepository = "project-1",
        GlProjectPath = "group/project",
    };

    /// <summary>The Prometheus text exposition from the metrics listener, fetched over HTTP as a scraper would.</summary>
    public async Task<string> ScrapeMetricsAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri("http://" + Endpoints.Metrics + "/metrics"));
    }

    public async Task StopAsync() => await Host.StopAsync();

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (host is not null)
        {
            // Idle cat-file processes kept for a session are not leaks; anything else still running is. A call the client
            // cancelled may still be reaping its child on the server when the last test returns: that gets a moment.
            var catFiles = host.Services.GetRequiredService<Lode.Git.CatFile.CatFileCache>();
            var leaked = host.Processes.Count - catFiles.Count;
            for (var wait = 0; leaked > 0 && wait < 100; wait++)
            {
                await Task.Delay(50);
                leaked = host.Processes.Count - catFiles.Count;
            }

            await host.DisposeAsync();
            Assert.True(leaked == 0, $"{leaked} git process(es) were still running when the server stopped");
        }

        var unexpected = Logs.Records.Where(r => r.Level >= LogLevel.Error && r.EventId != 1).ToList();
        Root.Dispose();
        Assert.True(unexpected.Count == 0, "unexpected error logs: " + string.Join("; ", unexpected.Select(r => r.Message + " " + r.Exception)));
    }

    /// <summary>Adds a fresh v2 token to every call, as GitLab's clients do.</summary>
    public sealed class TokenInterceptor(string token) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
            AsyncUnaryCallContinuation<TRequest, TResponse> continuation) => continuation(request, WithToken(context));

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request,
            ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithToken(context));

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(WithToken(context));

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(WithToken(context));

        private ClientInterceptorContext<TRequest, TResponse> WithToken<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
            where TRequest : class
            where TResponse : class
        {
            var headers = context.Options.Headers ?? [];
            headers.Add("authorization", TokenValidator.CreateHeader(token, DateTimeOffset.UtcNow));
            return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
        }
    }

    /// <summary>Loopback endpoint helper for tests that open raw connections.</summary>
    public static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);
}
