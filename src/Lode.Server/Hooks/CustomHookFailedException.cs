using Lode.Git.Hooks;

namespace Lode.Server.Hooks;

/// <summary>
/// A custom hook refused the change. Its own stdout and stderr already reached the pusher; HookService answers with
/// its exit code and nothing more, as Gitaly does for a hook that exited non-zero.
/// </summary>
public sealed class CustomHookFailedException(CustomHookFailure failure) : Exception("executing custom hooks: " + failure.Message)
{
    public CustomHookFailure Failure { get; } = failure;

    /// <summary>The hook's exit code, or 1 when it could not be run at all.</summary>
    public int ExitCode => Failure.ExitCode ?? 1;
}
