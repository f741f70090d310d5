using Prometheus;

namespace Lode.Server.Metrics;

/// <summary>
/// One Prometheus registry per server instance (tests run several servers in one process), exported on
/// <c>prometheus_listen_addr</c>. Series are named exactly as Gitaly's so existing dashboards keep working.
/// </summary>
public sealed class MetricsRegistry
{
    public MetricsRegistry()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);

        // Gitaly's series carry no exemplars; without this prometheus-net looks at the current trace for one on every
        // observation.
        Factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = (_, _) => Exemplar.None };
    }

    public CollectorRegistry Registry { get; }

    public IMetricFactory Factory { get; }

    /// <summary>The text exposition of every series, as served on /metrics.</summary>
    public async Task<string> ScrapeAsync(CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
