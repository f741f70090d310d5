namespace Lode.Server.Hooks;

/// <summary>
/// A receive hook refused the push for a reason that is not a custom hook's exit code: GitLab denied access
/// (<c>GitLab: &lt;message&gt;</c>), an API call failed, or the input was not what a hook expects. HookService answers
/// with exit status 1 and this message on stderr.
/// </summary>
public sealed class HookDeclinedException(string message, Exception? innerException = null) : Exception(message, innerException);
