using System.Diagnostics;
using Lode.Core.Processes;

namespace Lode.Core.Tests.Processes;

public sealed class ProcessTreeTests
{
    [Fact]
    public async Task Kill_ShellWithBackgroundChildren_KillsEveryDescendant()
    {
        Assert.True(ProcessTree.IsSupported, "this Linux kernel exposes /proc/<pid>/task/<tid>/children");

        // The shell starts two sleeps and a subshell with its own sleep, then prints their pids and waits.
        using var shell = Process.Start(new ProcessStartInfo("sh")
        {
            ArgumentList = { "-c", "sleep 300 & a=$!; (sleep 300 & wait) & b=$!; sleep 300 & c=$!; echo $a $b $c; wait" },
            RedirectStandardOutput = true,
        })!;
        var pids = (await shell.StandardOutput.ReadLineAsync())!.Split(' ').Select(int.Parse).ToList();
        await Task.Delay(200);
        var grandchildren = File.ReadAllText($"/proc/{pids[1]}/task/{pids[1]}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(int.Parse).ToList();
        Assert.Single(grandchildren);

        Assert.True(ProcessTree.Kill(shell.Id));

        await shell.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var pid in pids.Concat(grandchildren))
        {
            Assert.True(await GoneAsync(pid), $"process {pid} survived the kill");
        }
    }

    // A killed process that is not our child is reaped by init; until then it is a zombie, which counts as gone.
    private static async Task<bool> GoneAsync(int pid)
    {
        for (var i = 0; i < 100; i++)
        {
            var status = $"/proc/{pid}/status";
            if (!File.Exists(status) || File.ReadAllLines(status).Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z')))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }
}
