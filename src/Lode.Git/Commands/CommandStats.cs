namespace Lode.Git.Commands;

/// <summary>
/// Resources used by the git children of one request, for the access log's <c>command.*</c> fields. The server
/// opens a scope per RPC; every process started under it adds to it.
/// </summary>
public sealed class CommandStats
{
    private static readonly AsyncLocal<CommandStats?> CurrentStats = new();
    private int count;
    private long realTimeTicks;
    private long userTimeTicks;
    private long systemTimeTicks;

    public static CommandStats? Current => CurrentStats.Value;

    public int Count => Volatile.Read(ref count);

    public TimeSpan RealTime => TimeSpan.FromTicks(Interlocked.Read(ref realTimeTicks));

    public TimeSpan UserTime => TimeSpan.FromTicks(Interlocked.Read(ref userTimeTicks));

    public TimeSpan SystemTime => TimeSpan.FromTicks(Interlocked.Read(ref systemTimeTicks));

    /// <summary>Starts collecting for the current async flow (one RPC).</summary>
    public static CommandStats Begin()
    {
        var stats = new CommandStats();
        CurrentStats.Value = stats;
        return stats;
    }

    internal void Add(TimeSpan real, TimeSpan user, TimeSpan system)
    {
        Interlocked.Increment(ref count);
        Interlocked.Add(ref realTimeTicks, real.Ticks);
        Interlocked.Add(ref userTimeTicks, user.Ticks);
        Interlocked.Add(ref systemTimeTicks, system.Ticks);
    }
}
