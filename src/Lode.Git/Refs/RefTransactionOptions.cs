using Lode.Git.Commands;

namespace Lode.Git.Refs;

/// <summary>How a <see cref="RefTransaction"/> runs its <c>git update-ref</c>.</summary>
public sealed class RefTransactionOptions
{
    /// <summary>
    /// <c>--no-deref</c>: a symbolic ref named in an update is changed (or deleted) itself instead of the ref it
    /// points to. Gitaly's DeleteRefs uses it; UpdateReferences does not.
    /// </summary>
    public bool NoDeref { get; init; }

    /// <summary>
    /// Called with the update-ref command before it starts. This is the seam for the reference-transaction hook:
    /// the caller adds <c>core.hooksPath</c> and <c>GITALY_HOOKS_PAYLOAD</c> here (Lode.Server's
    /// <c>HookSetup.Apply</c>), so that git runs the hook at prepare and commit and Praefect can vote. Lode.Git
    /// itself knows nothing about hooks.
    /// </summary>
    public Action<GitCommandBuilder>? ConfigureCommand { get; init; }

    /// <summary>
    /// How long git may take to exit once the transaction is aborted (stdin closed) before it is killed. git
    /// removes its lock files when it exits; a killed git leaves them behind, so it is given time.
    /// </summary>
    public TimeSpan AbortTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
