using Prometheus;

namespace Lode.Server.Metrics;

/// <summary>
/// The <c>grpc_server_*</c> series of go-grpc-prometheus, which Gitaly exports and GitLab's dashboards and alerts
/// are built on, plus <c>gitaly_service_client_requests_total</c>.
/// </summary>
public sealed class GrpcServerMetrics(IMetricFactory factory, IReadOnlyList<double> latencyBuckets)
{
    private static readonly string[] MethodLabels = ["grpc_type", "grpc_service", "grpc_method"];

    public Counter Started { get; } = factory.CreateCounter("grpc_server_started_total",
        "Total number of RPCs started on the server.", MethodLabels);

    public Counter Handled { get; } = factory.CreateCounter("grpc_server_handled_total",
        "Total number of RPCs completed on the server, regardless of success or failure.",
        [.. MethodLabels, "grpc_code"]);

    public Counter MessagesReceived { get; } = factory.CreateCounter("grpc_server_msg_received_total",
        "Total number of RPC stream messages received on the server.", MethodLabels);

    public Counter MessagesSent { get; } = factory.CreateCounter("grpc_server_msg_sent_total",
        "Total number of gRPC stream messages sent by the server.", MethodLabels);

    public Histogram HandlingSeconds { get; } = factory.CreateHistogram("grpc_server_handling_seconds",
        "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
        new HistogramConfiguration { LabelNames = MethodLabels, Buckets = [.. latencyBuckets] });

    public Counter ClientRequests { get; } = factory.CreateCounter("gitaly_service_client_requests_total",
        "Counter of client requests received by client, call_site, auth version, response code and deadline_type",
        ["client_name", "grpc_service", "grpc_method", "call_site", "auth_version", "grpc_code", "deadline_type",
         "method_operation", "method_scope"]);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Type, string Method), MethodMetrics> methods = new();

    /// <summary>The cached series of one RPC.</summary>
    public MethodMetrics For(string grpcType, string service, string method, string fullMethod) =>
        methods.GetOrAdd((grpcType, fullMethod), static (_, s) => new MethodMetrics(s.self, s.grpcType, s.service, s.method),
            (self: this, grpcType, service, method));

    /// <summary>Go's names for status codes, which the <c>grpc_code</c> label uses (note "Canceled").</summary>
    public static string CodeName(Grpc.Core.StatusCode code) => code switch
    {
        Grpc.Core.StatusCode.OK => "OK",
        Grpc.Core.StatusCode.Cancelled => "Canceled",
        Grpc.Core.StatusCode.Unknown => "Unknown",
        Grpc.Core.StatusCode.InvalidArgument => "InvalidArgument",
        Grpc.Core.StatusCode.DeadlineExceeded => "DeadlineExceeded",
        Grpc.Core.StatusCode.NotFound => "NotFound",
        Grpc.Core.StatusCode.AlreadyExists => "AlreadyExists",
        Grpc.Core.StatusCode.PermissionDenied => "PermissionDenied",
        Grpc.Core.StatusCode.ResourceExhausted => "ResourceExhausted",
        Grpc.Core.StatusCode.FailedPrecondition => "FailedPrecondition",
        Grpc.Core.StatusCode.Aborted => "Aborted",
        Grpc.Core.StatusCode.OutOfRange => "OutOfRange",
        Grpc.Core.StatusCode.Unimplemented => "Unimplemented",
        Grpc.Core.StatusCode.Internal => "Internal",
        Grpc.Core.StatusCode.Unavailable => "Unavailable",
        Grpc.Core.StatusCode.DataLoss => "DataLoss",
        Grpc.Core.StatusCode.Unauthenticated => "Unauthenticated",
        _ => "Unknown",
    };
}
