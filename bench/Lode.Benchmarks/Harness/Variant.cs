namespace Lode.Benchmarks.Harness;

/// <summary>
/// One contender of a side-by-side run. <see cref="RunOnceAsync"/> does one full iteration and returns how many
/// items it processed, which the harness checks is the same on every iteration. <see cref="AfterEachAsync"/>, when
/// given, runs after each iteration outside the timed part (removing a clone, for instance).
/// </summary>
public sealed record Variant(string Name, Func<CancellationToken, Task<long>> RunOnceAsync, Func<Task>? AfterEachAsync = null);
