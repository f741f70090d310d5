using System.Diagnostics;
using Gitaly;
using Lode.TestKit;
using Xunit.Abstractions;

namespace Lode.Server.Tests.Services.Blob;

/// <summary>
/// The memory requirement: a 1 GiB blob streamed through GetBlob, and an archive holding it through GetArchive,
/// must not grow the server's resident memory by 64 MiB or more. The server runs in this process, so the peak of this
/// process's VmRSS is sampled while a client (also here) reads and discards the stream.
/// </summary>
/// <remarks>
/// RSS is per process and other test classes run in this one, so this class sits in a collection that xUnit runs on its
/// own, after the parallel ones.
/// </remarks>
[Trait("Category", "Slow")]
[Collection(MemoryMeasurementCollection.Name)]
public sealed class BlobMemoryTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private const long BlobSize = 1L << 30;
    private const long MaxGrowth = 64L << 20;

    [Fact]
    public async Task GetBlobAndGetArchive_OneGiBBlob_RssGrowsLessThan64MiB()
    {
        var repo = await server.CreateRepoAsync();
        var stopwatch = Stopwatch.StartNew();
        var oid = await WriteGeneratedBlobAsync(repo, BlobSize);
        var commit = await repo.CommitAsync(files: new Dictionary<string, object> { ["big.bin"] = new TreeFile(Oid: oid) });
        output.WriteLine($"blob written in {stopwatch.Elapsed.TotalSeconds:F1} s");

        // Warm up both paths (JIT, pools, HTTP/2 buffers) before the baseline is taken.
        var small = await repo.WriteBlobAsync("warm up");
        var smallCommit = await repo.CommitAsync(branch: "small", files: new Dictionary<string, object> { ["a"] = "a" }, parents: []);
        await ConsumeAsync(server.Blob.GetBlob(new GetBlobRequest { Repository = ServerFixture.Proto(repo), Oid = small, Limit = -1 }).ResponseStream,
            static m => m.Data.Length);
        await ConsumeAsync(server.Repository.GetArchive(new GetArchiveRequest
        {
            Repository = ServerFixture.Proto(repo),
            CommitId = smallCommit,
            Format = GetArchiveRequest.Types.Format.Tar,
        }).ResponseStream, static m => m.Data.Length);

        stopwatch.Restart();
        var (blobBytes, blobGrowth) = await MeasureAsync(() => ConsumeAsync(
            server.Blob.GetBlob(new GetBlobRequest { Repository = ServerFixture.Proto(repo), Oid = oid, Limit = -1 }).ResponseStream,
            static m => m.Data.Length));
        output.WriteLine($"GetBlob: {blobBytes} bytes in {stopwatch.Elapsed.TotalSeconds:F1} s, RSS growth {blobGrowth / 1024.0 / 1024.0:F1} MiB");

        stopwatch.Restart();
        var (archiveBytes, archiveGrowth) = await MeasureAsync(() => ConsumeAsync(server.Repository.GetArchive(new GetArchiveRequest
        {
            Repository = ServerFixture.Proto(repo),
            CommitId = commit,
            Prefix = "big",
            Format = GetArchiveRequest.Types.Format.Tar,
        }).ResponseStream, static m => m.Data.Length));
        output.WriteLine($"GetArchive: {archiveBytes} bytes in {stopwatch.Elapsed.TotalSeconds:F1} s, RSS growth {archiveGrowth / 1024.0 / 1024.0:F1} MiB");

        Assert.Equal(BlobSize, blobBytes);
        Assert.True(archiveBytes > BlobSize);
        Assert.True(blobGrowth < MaxGrowth, $"GetBlob grew RSS by {blobGrowth} bytes");
        Assert.True(archiveGrowth < MaxGrowth, $"GetArchive grew RSS by {archiveGrowth} bytes");
    }

    /// <summary>Runs <paramref name="call"/> while sampling VmRSS every 5 ms; returns its result and the peak over the baseline.</summary>
    private static async Task<(long Result, long Growth)> MeasureAsync(Func<Task<long>> call)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = ReadRss();
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, ReadRss());
                try
                {
                    await Task.Delay(5, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });

        var result = await call();
        peak = Math.Max(peak, ReadRss());
        await stop.CancelAsync();
        await sampler;
        return (result, peak - baseline);
    }

    private static long ReadRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    private static async Task<long> ConsumeAsync<T>(Grpc.Core.IAsyncStreamReader<T> stream, Func<T, int> size)
    {
        long total = 0;
        while (await stream.MoveNext(CancellationToken.None))
        {
            total += size(stream.Current);
        }

        return total;
    }

    /// <summary>
    /// Feeds <c>git hash-object -w --stdin</c> from a deterministic generator, one 1 MiB block at a time: a random 16 KiB
    /// pattern with each block's number stamped in, compressible enough for git's zlib to keep up.
    /// </summary>
    private static async Task<string> WriteGeneratedBlobAsync(TestRepo repo, long size)
    {
        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--git-dir=" + repo.Path, "hash-object", "-w", "--stdin" })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var pattern = new byte[16 * 1024];
        new Random(42).NextBytes(pattern);
        var block = new byte[1024 * 1024];
        for (var offset = 0; offset < block.Length; offset += pattern.Length)
        {
            pattern.CopyTo(block, offset);
        }

        var stdin = process.StandardInput.BaseStream;
        for (long written = 0, number = 0; written < size; written += block.Length, number++)
        {
            BitConverter.TryWriteBytes(block.AsSpan(0, 8), number);
            await stdin.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, size - written)));
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("hash-object failed: " + await stderr);
        }

        return (await stdout).Trim();
    }
}
