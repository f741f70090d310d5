using Lode.Git.Advertisement;
using Lode.Core.Configuration;
using Lode.Server.Auth;
using Lode.Server.Backchannel;
using Lode.Server.FrontDoor;
using Lode.Server.GitTransport;
using Lode.Server.Interceptors;
using Lode.Server.Metrics;
using Lode.Server.OpTypes;
using Lode.Server.Services.Analysis;
using Lode.Server.Services.Blob;
using Lode.Server.Services.Cleanup;
using Lode.Server.Services.Commit;
using Lode.Server.Services.Conflicts;
using Lode.Server.Services.Diff;
using Lode.Server.Services.Hook;
using Lode.Server.Services.InternalGitaly;
using Lode.Server.Services.ObjectPool;
using Lode.Server.Services.Operation;
using Lode.Server.Services.Partition;
using Lode.Server.Services.PraefectInfo;
using Lode.Server.Services.Raft;
using Lode.Server.Services.Ref;
using Lode.Server.Services.RefTransaction;
using Lode.Server.Services.Remote;
using Lode.Server.Services.Repository;
using Lode.Server.Services.Server;
using Lode.Server.Services.SmartHttp;
using Lode.Server.Services.Ssh;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lode.Server.Hosting;

/// <summary>
/// Registers the whole gRPC interface and its pipeline. Every service of the interface is mapped, implemented or
/// not, so that authentication and logging apply to every method and an unimplemented one answers UNIMPLEMENTED.
/// </summary>
public static class LodeGrpcServices
{
    public static IServiceCollection AddLodeGrpc(this IServiceCollection services, LodeOptions options)
    {
        services.AddSingleton<MethodTable>();

        // Clone/fetch/push transport: multiplexed connections, the git runner shared by SmartHTTP, SSH and the front door.
        services.AddSingleton<BackchannelRegistry>();
        services.AddSingleton<GitProtocolMetrics>();
        services.AddSingleton<ReceivePackAdvertisement>();
        services.AddSingleton<TransportRunner>();
        services.AddSingleton<SmartHttpFrontDoor>();
        services.AddSingleton(sp => new GrpcServerMetrics(sp.GetRequiredService<MetricsRegistry>().Factory, options.Prometheus.GrpcLatencyBuckets));
        services.AddSingleton(sp => new AuthMetrics(sp.GetRequiredService<MetricsRegistry>().Factory));

        // Interceptors are singletons: they hold no per-call state (that lives in CallState).
        services.AddSingleton<ObservabilityInterceptor>();
        services.AddSingleton<ErrorMappingInterceptor>();
        services.AddSingleton<AuthInterceptor>();

        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.Limits.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = false;

            // Order as Gitaly (spec §2): observe everything, normalise statuses, then authenticate.
            grpc.Interceptors.Add<ObservabilityInterceptor>();
            grpc.Interceptors.Add<ErrorMappingInterceptor>();
            grpc.Interceptors.Add<AuthInterceptor>();
        });
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks().AddCheck("lode", () => HealthCheckResult.Healthy());

        // Service classes are stateless singletons; per-call state comes from the request and ServerCallContext.
        services.AddSingleton<AnalysisServiceImpl>();
        services.AddSingleton<BlobServiceImpl>();
        services.AddSingleton<CleanupServiceImpl>();
        services.AddSingleton<CommitServiceImpl>();
        services.AddSingleton<ConflictsServiceImpl>();
        services.AddSingleton<DiffServiceImpl>();
        services.AddSingleton<HookServiceImpl>();
        services.AddSingleton<InternalGitalyImpl>();
        services.AddSingleton<ObjectPoolServiceImpl>();
        services.AddSingleton<OperationServiceImpl>();
        services.AddSingleton<PartitionServiceImpl>();
        services.AddSingleton<PraefectInfoServiceImpl>();
        services.AddSingleton<RaftServiceImpl>();
        services.AddSingleton<RefServiceImpl>();
        services.AddSingleton<RefTransactionImpl>();
        services.AddSingleton<RemoteServiceImpl>();
        services.AddSingleton<RepositoryServiceImpl>();
        services.AddSingleton<ServerServiceImpl>();
        services.AddSingleton<SmartHTTPServiceImpl>();
        services.AddSingleton<SSHServiceImpl>();
        return services;
    }

    public static IEndpointRouteBuilder MapLodeGrpc(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<AnalysisServiceImpl>();
        endpoints.MapGrpcService<BlobServiceImpl>();
        endpoints.MapGrpcService<CleanupServiceImpl>();
        endpoints.MapGrpcService<CommitServiceImpl>();
        endpoints.MapGrpcService<ConflictsServiceImpl>();
        endpoints.MapGrpcService<DiffServiceImpl>();
        endpoints.MapGrpcService<HookServiceImpl>();
        endpoints.MapGrpcService<InternalGitalyImpl>();
        endpoints.MapGrpcService<ObjectPoolServiceImpl>();
        endpoints.MapGrpcService<OperationServiceImpl>();
        endpoints.MapGrpcService<PartitionServiceImpl>();
        endpoints.MapGrpcService<PraefectInfoServiceImpl>();
        endpoints.MapGrpcService<RaftServiceImpl>();
        endpoints.MapGrpcService<RefServiceImpl>();
        endpoints.MapGrpcService<RefTransactionImpl>();
        endpoints.MapGrpcService<RemoteServiceImpl>();
        endpoints.MapGrpcService<RepositoryServiceImpl>();
        endpoints.MapGrpcService<ServerServiceImpl>();
        endpoints.MapGrpcService<SmartHTTPServiceImpl>();
        endpoints.MapGrpcService<SSHServiceImpl>();
        endpoints.MapGrpcReflectionService();
        endpoints.MapGrpcHealthChecksService();
        return endpoints;
    }
}
