using Lode.Core.Errors;

namespace Lode.Server.Hooks;

/// <summary>
/// The voter of a server that is not part of a cluster: without a transaction in the payload there is nobody to vote
/// with. A payload that does name a transaction cannot be served (no coordinator to reach), and says so.
/// </summary>
public sealed class NoTransactionVoter : ITransactionVoter
{
    public Task VoteAsync(HooksPayload payload, ReadOnlyMemory<byte> vote, VotePhase phase, CancellationToken cancellationToken) =>
        payload.Transaction is null ? Task.CompletedTask : throw NotSupported();

    public Task StopAsync(HooksPayload payload, CancellationToken cancellationToken) =>
        payload.Transaction is null ? Task.CompletedTask : throw NotSupported();

    private static LodeException NotSupported() => LodeException.FailedPrecondition("reference transactions are not supported by this server");
}
