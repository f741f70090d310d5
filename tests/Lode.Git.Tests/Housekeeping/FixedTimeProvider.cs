namespace Lode.Git.Tests.Housekeeping;

/// <summary>A clock that always answers the same instant, for stale-object cutoffs.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
