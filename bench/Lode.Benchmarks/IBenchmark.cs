namespace Lode.Benchmarks;

/// <summary>One benchmark, run as <c>Lode.Benchmarks &lt;Name&gt; [--option value]…</c>.</summary>
public interface IBenchmark
{
    /// <summary>The command-line name, e.g. <c>catfile</c>.</summary>
    string Name { get; }

    /// <summary>One line for the benchmark list.</summary>
    string Description { get; }

    /// <summary>Option help, one option a line.</summary>
    string Usage { get; }

    /// <summary>Runs and prints results; returns the process exit code.</summary>
    Task<int> RunAsync(BenchmarkArgs args, CancellationToken cancellationToken);
}
