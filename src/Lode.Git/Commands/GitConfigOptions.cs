using Lode.Core.Configuration;
using Lode.Core.Errors;
using Lode.Core.Text;

namespace Lode.Git.Commands;

/// <summary>
/// A request's <c>git_config_options</c> (<c>key=value</c> strings, spec §5.3): split at the first <c>=</c> and
/// checked with the rule for admin <c>[[git.config]]</c> keys before any of them reaches a <c>-c</c> argument.
/// Messages are Gitaly's. Gitaly reports a bad key only when it builds the command (INTERNAL or FAILED_PRECONDITION
/// depending on the RPC); Lode rejects it up front with INVALID_ARGUMENT, as it is the caller's mistake.
/// </summary>
public static class GitConfigOptions
{
    /// <summary>
    /// Keys whose value git runs as a program in the commands these options reach (upload-pack, receive-pack and
    /// what they start). A request could otherwise run anything on the server; the shared token is no reason to allow
    /// it. Gitaly accepts them: refusing them is a deliberate difference.
    /// </summary>
    private static readonly HashSet<string> ProgramKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "uploadpack.packObjectsHook",
        "core.alternateRefsCommand",
        "core.hooksPath",
        "core.fsmonitor",
        "core.sshCommand",
        "core.gitProxy",
        "core.askPass",
        "core.pager",
        "core.editor",
        "credential.helper",
        "gpg.program",
    };

    public static IReadOnlyList<KeyValuePair<string, string>> Parse(IReadOnlyList<string> options)
    {
        if (options.Count == 0)
        {
            return [];
        }

        var pairs = new List<KeyValuePair<string, string>>(options.Count);
        foreach (var option in options)
        {
            var equals = option.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw LodeException.InvalidArgument("cannot convert invalid config key: " + GoQuote.Quote(option));
            }

            var key = option[..equals];
            if (KeyError(key) is { } error)
            {
                throw LodeException.InvalidArgument($"invalid configuration key {GoQuote.Quote(key)}: {error}");
            }

            if (ProgramKeys.Contains(key) || key.StartsWith("filter.", StringComparison.OrdinalIgnoreCase))
            {
                throw LodeException.InvalidArgument($"configuration key {GoQuote.Quote(key)} may not be set by a request: git runs its value as a program");
            }

            pairs.Add(new(key, option[(equals + 1)..]));
        }

        return pairs;
    }

    /// <summary>Adds the parsed options as <c>-c</c> config of this call (after the subcommand's own).</summary>
    public static GitCommandBuilder Apply(this GitCommandBuilder command, IReadOnlyList<KeyValuePair<string, string>> options)
    {
        foreach (var (key, value) in options)
        {
            command.Config(key, value);
        }

        return command;
    }

    private static string? KeyError(string key)
    {
        var quoted = GoQuote.Quote(key);
        if (!key.Contains('.', StringComparison.Ordinal))
        {
            return $"key {quoted} must contain at least one section";
        }

        if (key.StartsWith('.') || key.EndsWith('.'))
        {
            return $"key {quoted} must not start or end with a dot";
        }

        return ConfigValidator.IsValidGitConfigKey(key) ? null : $"key {quoted} failed regexp validation";
    }
}
