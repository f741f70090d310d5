namespace Lode.Server.Hooks;

/// <summary>
/// Casts the votes of a replicated write (spec §5.6, §10.4). A single server has no transaction and every vote is a
/// no-op; the cluster implements this to talk to its coordinator. Failures are
/// <see cref="TransactionAbortedException"/>, <see cref="TransactionStoppedException"/>, or anything else.
/// </summary>
public interface ITransactionVoter
{
    /// <summary>Votes <paramref name="vote"/> (a SHA-1) in the payload's transaction, if it has one.</summary>
    Task VoteAsync(HooksPayload payload, ReadOnlyMemory<byte> vote, VotePhase phase, CancellationToken cancellationToken);

    /// <summary>Tells the other voters to give up: a hook on the primary refused the change.</summary>
    Task StopAsync(HooksPayload payload, CancellationToken cancellationToken);
}
