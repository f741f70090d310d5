using Lode.Git.PktLine;

namespace Lode.Git.Tests.PktLine;

public sealed class NegotiationMonitorTests
{
    [Fact]
    public void Monitor_DoneBeforeDeadline_NeverFires()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var monitor = new NegotiationMonitor(NegotiationMonitor.Done, TimeSpan.FromMinutes(10), () => fired++, time);
        monitor.Start();

        monitor.Feed("0032want 0123456789012345678901234567890123456789\n0000"u8);
        monitor.Feed("0009do"u8);
        monitor.Feed("ne\n"u8);
        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(0, fired);
        Assert.False(monitor.TimedOut);
    }

    [Fact]
    public void Monitor_NoBoundary_FiresOnceAtDeadline()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var monitor = new NegotiationMonitor(NegotiationMonitor.Flush, TimeSpan.FromMinutes(1), () => fired++, time);
        monitor.Start();

        monitor.Feed("0012argument HEAD\n"u8);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, fired);
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, fired);
        Assert.True(monitor.TimedOut);
    }

    [Fact]
    public void Monitor_DoneWithoutNewline_IsNotTheBoundary()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        using var monitor = new NegotiationMonitor(NegotiationMonitor.Done, TimeSpan.FromSeconds(1), () => fired++, time);
        monitor.Start();

        monitor.Feed("0008done"u8);
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, fired);
    }
}

/// <summary>A clock that moves only when told to; timers fire during <see cref="Advance"/>.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly List<ManualTimer> timers = [];
    private DateTimeOffset now = DateTimeOffset.UnixEpoch;

    public override DateTimeOffset GetUtcNow() => now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(callback, state, now + dueTime);
        timers.Add(timer);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        now += by;
        foreach (var timer in timers.ToArray())
        {
            if (!timer.Disposed && timer.Due <= now)
            {
                timer.Disposed = true;
                timer.Callback(timer.State);
            }
        }
    }

    private sealed class ManualTimer(TimerCallback callback, object? state, DateTimeOffset due) : ITimer
    {
        public TimerCallback Callback => callback;

        public object? State => state;

        public DateTimeOffset Due => due;

        public bool Disposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => throw new NotSupportedException();

        public void Dispose() => Disposed = true;

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
