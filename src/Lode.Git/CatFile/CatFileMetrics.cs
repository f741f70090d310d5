using Prometheus;

namespace Lode.Git.CatFile;

/// <summary>
/// The cat-file cache's Prometheus series, named and labelled exactly as Gitaly's (internal/git/catfile/cache.go)
/// because operators' dashboards query them. Created from an injected factory so that each server instance (and
/// each test) can use its own registry.
/// </summary>
public sealed class CatFileMetrics
{
    /// <summary>The <c>type</c> label of <c>gitaly_catfile_cache_members</c>; Gitaly names its process kinds so.</summary>
    private const string ObjectReaderType = "object_reader";

    public CatFileMetrics(IMetricFactory factory)
    {
        CacheTotal = factory.CreateCounter("gitaly_catfile_cache_total", "Counter of catfile cache hit/miss", ["type"]);
        Processes = factory.CreateGauge("gitaly_catfile_processes", "Gauge of active catfile processes");
        ProcessesTotal = factory.CreateCounter("gitaly_catfile_processes_total", "Counter of catfile processes");
        Lookups = factory.CreateCounter("gitaly_catfile_lookups_total", "Git catfile lookups by object type", ["type"]);
        CacheMembers = factory.CreateGauge("gitaly_catfile_cache_members", "Gauge of catfile cache members by process type", ["type"]);

        // Children are resolved once: label lookup per object read would show up in the hot path.
        Hit = CacheTotal.WithLabels("hit");
        Miss = CacheTotal.WithLabels("miss");
        Dirty = CacheTotal.WithLabels("dirty");
        Duplicate = CacheTotal.WithLabels("duplicate");
        InfoLookups = Lookups.WithLabels("info");
        ObjectLookups = Lookups.WithLabels("object");
        Members = CacheMembers.WithLabels(ObjectReaderType);
    }

    /// <summary><c>gitaly_catfile_cache_total{type=hit|miss|dirty|duplicate}</c>.</summary>
    public Counter CacheTotal { get; }

    /// <summary><c>gitaly_catfile_processes</c>: cat-file processes alive now, cached or in use.</summary>
    public Gauge Processes { get; }

    /// <summary><c>gitaly_catfile_processes_total</c>: cat-file processes ever started.</summary>
    public Counter ProcessesTotal { get; }

    /// <summary><c>gitaly_catfile_lookups_total{type=info|object}</c>: requests sent to cat-file processes.</summary>
    public Counter Lookups { get; }

    /// <summary><c>gitaly_catfile_cache_members{type=object_reader}</c>: idle processes held by the cache.</summary>
    public Gauge CacheMembers { get; }

    internal Counter.Child Hit { get; }

    internal Counter.Child Miss { get; }

    internal Counter.Child Dirty { get; }

    internal Counter.Child Duplicate { get; }

    internal Counter.Child InfoLookups { get; }

    internal Counter.Child ObjectLookups { get; }

    internal Gauge.Child Members { get; }
}
