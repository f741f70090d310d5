namespace Lode.Server.Hooks;

/// <summary>The phase of a transaction vote (Gitaly's voting.Phase, as sent to Praefect).</summary>
public enum VotePhase
{
    Unknown = 0,
    Prepared = 1,
    Committed = 2,
    Synchronized = 3,
}
