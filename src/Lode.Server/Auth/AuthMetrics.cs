using Prometheus;

namespace Lode.Server.Auth;

/// <summary>Gitaly's two authentication series (spec §2).</summary>
public sealed class AuthMetrics(IMetricFactory factory)
{
    public Counter Authentications { get; } = factory.CreateCounter("gitaly_authentications_total",
        "Counts of of Gitaly request authentication attempts", ["enforced", "status"]);

    public Counter Errors { get; } = factory.CreateCounter("gitaly_authentication_errors_total",
        "Counts of of Gitaly request authentication errors", ["version", "error"]);
}
