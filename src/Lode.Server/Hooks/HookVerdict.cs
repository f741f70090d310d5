namespace Lode.Server.Hooks;

/// <summary>
/// How a failed pre-receive or post-receive ends (Gitaly): a custom hook's exit code (its output already went out), or
/// exit 1 with the reason on stderr. Unexpected failures (not a decline) are the ones worth logging.
/// </summary>
public static class HookVerdict
{
    public static (int ExitCode, string Stderr, bool Unexpected) Of(Exception exception) => exception switch
    {
        CustomHookFailedException custom => (custom.ExitCode, "", false),
        HookDeclinedException declined => (1, declined.Message, false),
        _ => (1, exception.Message, true),
    };
}
