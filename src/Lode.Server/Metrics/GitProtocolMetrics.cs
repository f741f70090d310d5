using Lode.Git.Commands;
using Prometheus;

namespace Lode.Server.Metrics;

/// <summary>
/// <c>gitaly_git_protocol_requests_total</c> (spec §6.1): which protocol version each git transport command ran with,
/// per RPC. Counted where Gitaly counts it: whenever a command is set up with the request's <c>git_protocol</c>.
/// </summary>
public sealed class GitProtocolMetrics(MetricsRegistry registry)
{
    private readonly Counter requests = registry.Factory.CreateCounter("gitaly_git_protocol_requests_total",
        "Counter of Git protocol requests", ["grpc_service", "grpc_method", "git_protocol"]);

    /// <summary>Counts one command of the RPC <paramref name="fullMethod"/> (<c>/gitaly.Service/Method</c>).</summary>
    public void Record(string fullMethod, string? gitProtocol)
    {
        var slash = fullMethod.LastIndexOf('/');
        var service = slash > 1 ? fullMethod[1..slash] : fullMethod;
        var method = slash >= 0 ? fullMethod[(slash + 1)..] : fullMethod;
        requests.WithLabels(service, method, GitProtocol.Label(gitProtocol)).Inc();
    }
}
