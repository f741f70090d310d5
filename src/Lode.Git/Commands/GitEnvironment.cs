namespace Lode.Git.Commands;

/// <summary>
/// The environment every git child starts with, built from scratch (spec §5.2) so that no host or user git
/// configuration leaks in: only allow-listed variables are inherited.
/// </summary>
public static class GitEnvironment
{
    private static readonly string[] Inherited =
    [
        "HOME", "PATH", "LD_LIBRARY_PATH", "TZ", "GIT_EXEC_PATH",
        "http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
    ];

    /// <summary>The base environment for this server process, computed once.</summary>
    public static IReadOnlyDictionary<string, string> Build()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["LANG"] = "en_US.UTF-8",
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_CONFIG_GLOBAL"] = "/dev/null",
            ["GIT_CONFIG_SYSTEM"] = "/dev/null",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["XDG_CONFIG_HOME"] = "/dev/null",
        };

        foreach (var name in Inherited)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                env[name] = value;
            }
        }

        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith("GIT_TRACE", StringComparison.Ordinal) && entry.Value is string v)
            {
                env[key] = v;
            }
        }

        return env;
    }
}
