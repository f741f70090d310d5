namespace Lode.Hooks;

/// <summary>git ran a hook with arguments it never uses: a bug or a hand-made call, reported and exit 1.</summary>
internal sealed class HookUsageException(string message) : Exception(message);
