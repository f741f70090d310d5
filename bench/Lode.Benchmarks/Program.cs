using Lode.Benchmarks;
using Lode.Benchmarks.CatFile;
using Lode.Benchmarks.Rpc;

// Every benchmark registers here; each lives in its own folder and class.
IBenchmark[] benchmarks =
[
    new CatFileBenchmark(),
    new RepositoryExistsBenchmark(),
];

return await BenchmarkDispatcher.RunAsync(benchmarks, args);
