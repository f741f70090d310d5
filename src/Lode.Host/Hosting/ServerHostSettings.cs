using Lode.Server.Metrics;

namespace Lode.Host.Hosting;

/// <summary>How a <see cref="ServerHost"/> is started beyond its config: extra log sinks (tests), and what the loader reported.</summary>
internal sealed record ServerHostSettings
{
    public bool ConsoleLogging { get; init; } = true;

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Where log lines go; stdout when null.</summary>
    public Stream? LogStream { get; init; }

    public MetricsRegistry? Metrics { get; init; }

    public IReadOnlyList<string> NotActedOnKeys { get; init; } = [];

    public IReadOnlyList<string> UnknownKeys { get; init; } = [];
}
