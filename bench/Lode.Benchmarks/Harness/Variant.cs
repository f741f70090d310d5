namespace Lode.Benchmarks.Harness;

/// <summary>
/// One contender of a side-by-side run. <see cref="RunOnceAsync"/> does one full iteration and returns how many
/// items it processed, which the harness checks is the same on every iteration.
/// </summary>
public sealed record Variant(string Name, Func<CancellationToken, Task<long>> RunOnceAsync);
