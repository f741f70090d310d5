namespace Lode.Benchmarks;

/// <summary>Picks the benchmark named by the first argument, or lists them.</summary>
public static class BenchmarkDispatcher
{
    public static async Task<int> RunAsync(IReadOnlyList<IBenchmark> benchmarks, string[] args)
    {
        if (args.Length == 0 || args[0] is "list" or "--help" or "-h")
        {
            PrintList(benchmarks);
            return args.Length == 0 ? 2 : 0;
        }

        IBenchmark? selected = null;
        foreach (var benchmark in benchmarks)
        {
            if (benchmark.Name == args[0])
            {
                selected = benchmark;
            }
        }

        if (selected is null)
        {
            Console.Error.WriteLine($"unknown benchmark \"{args[0]}\"");
            PrintList(benchmarks);
            return 2;
        }

        BenchmarkArgs options;
        try
        {
            options = new BenchmarkArgs(args[1..]);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(selected.Usage);
            return 2;
        }

        // Ctrl+C stops the run cleanly, so no git child outlives it.
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        try
        {
            return await selected.RunAsync(options, stop.Token);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(selected.Usage);
            return 2;
        }
    }

    private static void PrintList(IReadOnlyList<IBenchmark> benchmarks)
    {
        Console.WriteLine("usage: dotnet run -c Release --project bench/Lode.Benchmarks -- <benchmark> [options]");
        Console.WriteLine();
        foreach (var benchmark in benchmarks)
        {
            Console.WriteLine($"  {benchmark.Name,-12} {benchmark.Description}");
            foreach (var line in benchmark.Usage.Split('\n'))
            {
                Console.WriteLine($"  {"",-12}   {line}");
            }
        }
    }
}
