using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Lode.Core.Configuration;
using Lode.Core.Storage;
using Lode.Git.CatFile;
using Lode.Git.Commands;
using Lode.Server.Backchannel;
using Lode.Server.FrontDoor;
using Lode.Server.Gitlab;
using Lode.Server.Hooks;
using Lode.Server.Hosting;
using Lode.Server.Lfs;
using Lode.Server.Logging;
using Lode.Server.Metrics;
using Lode.Server.Repositories;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Lode.Host.Hosting;

/// <summary>
/// Starts and stops one Lode server: checks git, prepares the runtime folder and storages, and runs the gRPC
/// interface on every configured listener (spec §1.1). <c>lode serve</c> and the test fixture both use this, so
/// tests exercise the real pipeline.
/// </summary>
internal sealed partial class ServerHost : IAsyncDisposable
{
    private const string ListenerItemKey = "lode.listener";

    private readonly WebApplication app;
    private readonly RuntimeDirectory runtime;
    private readonly LodeOptions options;
    private readonly ILogger logger;
    private readonly LogOutput logOutput;
    private int stopped;

    private ServerHost(WebApplication app, RuntimeDirectory runtime, LodeOptions options, BoundEndpoints endpoints, LogOutput logOutput)
    {
        this.logOutput = logOutput;
        this.app = app;
        this.runtime = runtime;
        this.options = options;
        Endpoints = endpoints;
        logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Lode.Host");
    }

    public BoundEndpoints Endpoints { get; }

    public IServiceProvider Services => app.Services;

    public ProcessTracker Processes => app.Services.GetRequiredService<ProcessTracker>();

    public MetricsRegistry Metrics => app.Services.GetRequiredService<MetricsRegistry>();

    public string RuntimePath => runtime.Path;

    /// <summary>Completes when the host was asked to stop (SIGTERM, SIGINT, or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => app.WaitForShutdownAsync(cancellationToken);

    public static async Task<ServerHost> StartAsync(LodeOptions options, ServerHostSettings settings, CancellationToken cancellationToken)
    {
        var (gitPath, gitVersion) = await GitCommandFactory.DetectAsync(options, cancellationToken);
        var filesystemIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var storage in options.Storages)
        {
            filesystemIds[storage.Name] = StorageMetadata.EnsureFilesystemId(storage.Path);
        }

        var runtime = RuntimeDirectory.Create(options.RuntimeDir);
        try
        {
            HookInstaller.Install(runtime.HooksPath, options.BinDir, typeof(ServerHost).Assembly.Location);
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.WebHost.UseKestrelHttpsConfiguration();
            var logOutput = new LogOutput(settings.LogStream ?? Console.OpenStandardOutput());
            ConfigureLogging(builder.Logging, options, settings, logOutput);

            var tracker = new ProcessTracker();
            var metrics = settings.Metrics ?? new MetricsRegistry();
            var git = new GitCommandFactory(gitPath, gitVersion, options, tracker);
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton(tracker);
            builder.Services.AddSingleton(git);
            builder.Services.AddSingleton(new StorageLocator(options.Storages));
            builder.Services.AddSingleton<RepositoryResolver>();
            builder.Services.AddSingleton(metrics);
            builder.Services.AddSingleton(new CatFileCache(git, options, metrics.Factory));
            builder.Services.AddSingleton<ObjectReaders>();
            // Lode keeps no pack cache yet: with [pack_objects_cache] enabled, pack-objects runs through the hook as in Gitaly,
            // uncached; otherwise upload-pack runs it directly, which is the same work without a process and a call between.
            var packObjectsHook = options.PackObjectsCache.Enabled
                ? HookInstaller.PackObjectsHookCommand(options.BinDir, typeof(ServerHost).Assembly.Location)
                : null;
            builder.Services.AddSingleton(new HooksDirectory(runtime.HooksPath, runtime.Path, runtime.InternalSocketPath, options.Auth.Token,
                packObjectsHook));
            builder.Services.AddSingleton<HookSetup>();
            builder.Services.AddLodeHooks(options);
            builder.Services.AddSingleton(sp => new LfsSmudgeSetup(options, sp.GetRequiredService<IGitlabClient>(),
                HookInstaller.MainExecutableCommand(typeof(ServerHost).Assembly.Location)));
            builder.Services.AddSingleton(new ServerIdentity(gitVersion, filesystemIds));
            builder.Services.AddLodeGrpc(options);
            builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.GracefulRestartTimeout);

            var listeners = new List<(ListenerKind Kind, ListenOptions Options, string Name)>();
            builder.WebHost.ConfigureKestrel(kestrel => ConfigureKestrel(kestrel, options, runtime, listeners));

            var app = builder.Build();
            app.Use(RouteByListener);
            app.UseMiddleware<MalformedRequestMiddleware>();
            app.MapLodeGrpc();

            await app.StartAsync(cancellationToken);
            var endpoints = Bound(listeners, runtime);
            var host = new ServerHost(app, runtime, options, endpoints, logOutput);
            host.LogStarted(endpoints);
            foreach (var key in settings.NotActedOnKeys)
            {
                LogNotActedOn(host.logger, key);
            }

            foreach (var key in settings.UnknownKeys)
            {
                LogUnknownKey(host.logger, key);
            }

            return host;
        }
        catch
        {
            runtime.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Graceful stop (spec §1.1): listeners stop accepting, in-flight calls get <c>graceful_restart_timeout</c> to
    /// finish, then any git child still running is killed and reaped.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        using (var timeout = new CancellationTokenSource(options.GracefulRestartTimeout))
        {
            try
            {
                await app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // The grace period is over; whatever is still running is stopped below.
            }
        }

        // Cached cat-file processes belong to no call; they go before the final sweep of anything still running.
        await app.Services.GetRequiredService<CatFileCache>().DisposeAsync();
        await Processes.KillAllAsync();
        LogStopped(logger);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await app.DisposeAsync();
        await logOutput.DisposeAsync();
        runtime.Dispose();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, LodeOptions options, ServerHostSettings settings, LogOutput output)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(options.Logging.Level.ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "fatal" or "panic" => LogLevel.Critical,
            _ => LogLevel.Information,
        });

        // ASP.NET Core's own request logs would duplicate the access log.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Grpc.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);

        // grpc-dotnet logs a client's undecodable message as an error; MalformedRequestMiddleware reports it instead.
        logging.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.Critical);
        if (settings.ConsoleLogging)
        {
            logging.AddProvider(new GitalyLoggerProvider(output, options.Logging.Format == "json"));
        }

        settings.ConfigureLogging?.Invoke(logging);
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, LodeOptions options, RuntimeDirectory runtime,
        List<(ListenerKind, ListenOptions, string)> listeners)
    {
        kestrel.AddServerHeader = false;

        // Gitaly's clients do TLS themselves (the backchannel magic goes inside it) and then speak HTTP/2 with
        // :scheme http over it, which grpc-go accepts; so must we.
        kestrel.AllowAlternateSchemes = true;
        kestrel.Limits.MaxRequestBodySize = null;

        // Git clients multiplex many calls on one connection; grpc-go servers do not cap streams.
        kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;

        // As Gitaly: ping a connection that has been idle for 5 minutes.
        kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromMinutes(5);
        kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);

        void Listen(ListenerKind kind, string name, Func<Action<ListenOptions>, ListenOptions?> bind, HttpProtocols protocols, Action<ListenOptions>? extra = null)
        {
            ListenOptions? captured = null;
            bind(lo =>
            {
                captured = lo;
                lo.Protocols = protocols;
                extra?.Invoke(lo);
                lo.Use(next => connection =>
                {
                    connection.Items[ListenerItemKey] = kind;
                    return next(connection);
                });

                // Every gRPC listener accepts multiplexed (backchannel) connections beside plain HTTP/2 (spec §7.1).
                if (kind is ListenerKind.Grpc or ListenerKind.Internal)
                {
                    lo.UseBackchannel();
                }
            });
            listeners.Add((kind, captured!, name));
        }

        if (!string.IsNullOrEmpty(options.ListenAddr))
        {
            foreach (var endpoint in Parse(options.ListenAddr).EndPoints())
            {
                Listen(ListenerKind.Grpc, "listen_addr", a => { kestrel.Listen(endpoint, lo => a(lo)); return null; }, HttpProtocols.Http2);
            }
        }

        if (!string.IsNullOrEmpty(options.SocketPath))
        {
            DeleteStaleSocket(options.SocketPath);
            Listen(ListenerKind.Grpc, "socket_path", a => { kestrel.ListenUnixSocket(options.SocketPath, lo => a(lo)); return null; }, HttpProtocols.Http2);
        }

        if (!string.IsNullOrEmpty(options.TlsListenAddr))
        {
            var certificate = LoadCertificate(options.Tls);
            foreach (var endpoint in Parse(options.TlsListenAddr).EndPoints())
            {
                Listen(ListenerKind.Grpc, "tls_listen_addr", a => { kestrel.Listen(endpoint, lo => a(lo)); return null; }, HttpProtocols.Http2,
                    lo => lo.UseHttps(https =>
                    {
                        https.ServerCertificate = certificate;
                        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                    }));
            }
        }

        Listen(ListenerKind.Internal, "internal", a => { kestrel.ListenUnixSocket(runtime.InternalSocketPath, lo => a(lo)); return null; }, HttpProtocols.Http2);

        if (!string.IsNullOrEmpty(options.PrometheusListenAddr))
        {
            foreach (var endpoint in Parse(options.PrometheusListenAddr).EndPoints())
            {
                Listen(ListenerKind.Metrics, "prometheus_listen_addr", a => { kestrel.Listen(endpoint, lo => a(lo)); return null; }, HttpProtocols.Http1);
            }
        }

        if (!string.IsNullOrEmpty(options.Http.ListenAddr))
        {
            foreach (var endpoint in Parse(options.Http.ListenAddr).EndPoints())
            {
                Listen(ListenerKind.Http, "lode.http.listen_addr", a => { kestrel.Listen(endpoint, lo => a(lo)); return null; }, HttpProtocols.Http1);
            }
        }
    }

    /// <summary>
    /// gRPC listeners serve only gRPC; the metrics listener serves only <c>/metrics</c>. Kestrel shares one request
    /// pipeline between endpoints, so each connection carries the kind of listener it came in on.
    /// </summary>
    private static Task RouteByListener(HttpContext context, RequestDelegate next)
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        var kind = items is not null && items.TryGetValue(ListenerItemKey, out var value) ? (ListenerKind)value! : ListenerKind.Grpc;

        // gRPC calls pass straight through, without an async frame of their own: this runs on every call.
        return kind is ListenerKind.Grpc or ListenerKind.Internal ? next(context) : ServeHttpAsync(context, kind);
    }

    private static async Task ServeHttpAsync(HttpContext context, ListenerKind kind)
    {
        if (kind == ListenerKind.Metrics)
        {
            if (context.Request.Path == "/metrics")
            {
                var registry = context.RequestServices.GetRequiredService<MetricsRegistry>();
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await registry.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await context.RequestServices.GetRequiredService<SmartHttpFrontDoor>().HandleAsync(context);
    }

    private static BoundEndpoints Bound(List<(ListenerKind Kind, ListenOptions Options, string Name)> listeners, RuntimeDirectory runtime)
    {
        IPEndPoint? tcp = null, tls = null, metrics = null, http = null;
        string? unix = null;
        foreach (var (kind, lo, name) in listeners)
        {
            switch (name)
            {
                case "listen_addr":
                    tcp ??= lo.IPEndPoint;
                    break;
                case "tls_listen_addr":
                    tls ??= lo.IPEndPoint;
                    break;
                case "socket_path":
                    unix = lo.SocketPath;
                    break;
                case "prometheus_listen_addr":
                    metrics ??= lo.IPEndPoint;
                    break;
                case "lode.http.listen_addr":
                    http ??= lo.IPEndPoint;
                    break;
            }
        }

        return new BoundEndpoints(tcp, tls, unix, runtime.InternalSocketPath, metrics, http);
    }

    private static ListenAddress Parse(string address) =>
        ListenAddress.TryParse(address, out var parsed) ? parsed! : throw new InvalidOperationException($"invalid address \"{address}\"");

    private static X509Certificate2 LoadCertificate(TlsOptions tls)
    {
        if (!string.IsNullOrEmpty(tls.Key))
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(tls.CertificatePath!), tls.Key);
        }

        return X509Certificate2.CreateFromPemFile(tls.CertificatePath!, tls.KeyPath);
    }

    /// <summary>A socket file left by a crashed process would make bind fail; nothing else may be at that path.</summary>
    private static void DeleteStaleSocket(string path)
    {
        if (File.Exists(path) && (File.GetAttributes(path) & FileAttributes.Directory) == 0)
        {
            File.Delete(path);
        }
    }

    private void LogStarted(BoundEndpoints endpoints)
    {
        if (endpoints.Tcp is { } tcp)
        {
            LogListening(logger, "tcp", tcp);
        }

        if (endpoints.Tls is { } tls)
        {
            LogListening(logger, "tls", tls);
        }

        if (endpoints.UnixSocket is { } unix)
        {
            LogListening(logger, "unix", unix);
        }

        if (endpoints.Metrics is { } metrics)
        {
            LogListening(logger, "prometheus", metrics);
        }

        if (endpoints.Http is { } http)
        {
            LogListening(logger, "smart http", http);
        }

        LogReady(logger, ServerIdentity.ServerVersion);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "listening at {type} address {address}")]
    private static partial void LogListening(ILogger logger, string type, object address);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "lode {version} ready")]
    private static partial void LogReady(ILogger logger, string version);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "config key accepted but not acted on yet: {key}")]
    private static partial void LogNotActedOn(ILogger logger, string key);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "unknown config key ignored: {key}")]
    private static partial void LogUnknownKey(ILogger logger, string key);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "stopped")]
    private static partial void LogStopped(ILogger logger);
}
