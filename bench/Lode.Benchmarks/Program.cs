using Lode.Benchmarks;
using Lode.Benchmarks.CatFile;
using Lode.Benchmarks.Reads;
using Lode.Benchmarks.Rpc;
using Lode.Benchmarks.Transport;

// Every benchmark registers here; each lives in its own folder and class.
IBenchmark[] benchmarks =
[
    new CatFileBenchmark(),
    new RepositoryExistsBenchmark(),
    new ReadsBenchmark(),
    new TransportBenchmark(),
];

return await BenchmarkDispatcher.RunAsync(benchmarks, args);
