using System.Collections.Concurrent;
using Grpc.Core;
using Prometheus;

namespace Lode.Server.Metrics;

/// <summary>
/// The labelled series of one RPC, resolved once: a label lookup costs a dictionary probe and an array, and every
/// call touches six series, so resolving them per call showed up in the rpc-exists benchmark.
/// </summary>
public sealed class MethodMetrics
{
    private readonly GrpcServerMetrics metrics;
    private readonly string grpcType;
    private readonly string service;
    private readonly string method;
    private readonly Counter.Child?[] handled = new Counter.Child?[17];
    private readonly ConcurrentDictionary<ClientKey, Counter.Child> clientRequests = new();

    internal MethodMetrics(GrpcServerMetrics metrics, string grpcType, string service, string method)
    {
        this.metrics = metrics;
        this.grpcType = grpcType;
        this.service = service;
        this.method = method;
        Started = metrics.Started.WithLabels(grpcType, service, method);
        MessagesReceived = metrics.MessagesReceived.WithLabels(grpcType, service, method);
        MessagesSent = metrics.MessagesSent.WithLabels(grpcType, service, method);
        HandlingSeconds = metrics.HandlingSeconds.WithLabels(grpcType, service, method);
    }

    public Counter.Child Started { get; }

    public Counter.Child MessagesReceived { get; }

    public Counter.Child MessagesSent { get; }

    public Histogram.Child HandlingSeconds { get; }

    public Counter.Child Handled(StatusCode code)
    {
        var index = (int)code;
        if ((uint)index >= (uint)handled.Length)
        {
            return metrics.Handled.WithLabels(grpcType, service, method, GrpcServerMetrics.CodeName(code));
        }

        return handled[index] ??= metrics.Handled.WithLabels(grpcType, service, method, GrpcServerMetrics.CodeName(code));
    }

    public Counter.Child ClientRequests(string clientName, string callSite, string authVersion, StatusCode code, string deadlineType,
        string operation, string scope) =>
        clientRequests.GetOrAdd(new ClientKey(clientName, callSite, authVersion, code, deadlineType), static (key, state) =>
            state.metrics.ClientRequests.WithLabels(key.ClientName, state.service, state.method, key.CallSite, key.AuthVersion,
                GrpcServerMetrics.CodeName(key.Code), key.DeadlineType, state.operation, state.scope),
            (metrics, service, method, operation, scope));

    private readonly record struct ClientKey(string ClientName, string CallSite, string AuthVersion, StatusCode Code, string DeadlineType);
}
