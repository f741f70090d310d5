using System.Collections.Concurrent;

namespace Lode.Git.Commands;

/// <summary>
/// Every git child that is running, so that shutdown can kill what is left and tests can prove none leaked.
/// </summary>
public sealed class ProcessTracker
{
    private readonly ConcurrentDictionary<int, GitProcess> running = new();

    public int Count => running.Count;

    internal void Add(GitProcess process) => running[process.Id] = process;

    internal void Remove(GitProcess process) => running.TryRemove(process.Id, out _);

    /// <summary>Kills every child still running (the end of a graceful stop) and waits for each to be reaped.</summary>
    public async Task KillAllAsync()
    {
        var tasks = new List<Task>();
        foreach (var process in running.Values)
        {
            process.Kill();
            tasks.Add(process.WaitForExitNoThrowAsync());
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>Process ids of running children, for leak reports.</summary>
    public IReadOnlyCollection<int> Ids => running.Keys.ToArray();
}
