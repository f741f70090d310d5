using Lode.Benchmarks;
using Lode.Benchmarks.CatFile;

// Every benchmark registers here; each lives in its own folder and class.
IBenchmark[] benchmarks =
[
    new CatFileBenchmark(),
];

return await BenchmarkDispatcher.RunAsync(benchmarks, args);
