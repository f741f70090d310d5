using System.Globalization;
using Gitaly;
using Google.Protobuf;
using Lode.Git.Commands;

namespace Lode.Server.Hooks;

/// <summary>
/// The environment a hook process reports (HookService's <c>environment_variables</c>, <c>KEY=value</c> entries), and the
/// environment custom hooks run with (spec §8.6).
/// </summary>
public static class HookEnvironment
{
    /// <summary>Inherited from the hook's environment by custom hooks, as Gitaly's allow-list.</summary>
    private static readonly string[] Allowed =
    [
        "HOME", "PATH", "LD_LIBRARY_PATH", "TZ", "GIT_EXEC_PATH",
        "http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
    ];

    /// <summary>The value of <paramref name="name"/> (the last entry wins, as in a process environment), or null.</summary>
    public static string? Get(IReadOnlyList<string> environment, string name)
    {
        string? value = null;
        foreach (var entry in environment)
        {
            if (entry.Length > name.Length && entry[name.Length] == '=' && entry.StartsWith(name, StringComparison.Ordinal))
            {
                value = entry[(name.Length + 1)..];
            }
        }

        return value;
    }

    /// <summary>The <c>GITALY_HOOKS_PAYLOAD</c> of the hook; an error names what is wrong with it.</summary>
    public static HooksPayload Payload(IReadOnlyList<string> environment)
    {
        var value = Get(environment, HooksPayload.EnvironmentVariable)
            ?? throw new HookDeclinedException("extracting hooks payload: no hooks payload found in environment");
        try
        {
            return HooksPayload.FromEnvironmentValue(value);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw new HookDeclinedException("extracting hooks payload: " + e.Message, e);
        }
    }

    /// <summary>The repository the payload names (protojson embedded as a string).</summary>
    public static Repository PayloadRepository(HooksPayload payload)
    {
        try
        {
            return string.IsNullOrEmpty(payload.Repository) ? new Repository() : JsonParser.Default.Parse<Repository>(payload.Repository);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new HookDeclinedException("extracting hooks payload: repository: " + e.Message, e);
        }
    }

    /// <summary>
    /// What custom hooks see: the allow-listed part of the hook's environment, the push options, the push quarantine's
    /// object folders, PATH led by git's folder (so hooks run Lode's git), <c>GIT_DIR</c>, and the <c>GL_*</c> facts.
    /// </summary>
    public static Dictionary<string, string> ForCustomHooks(IReadOnlyList<string> environment, HooksPayload payload, Repository payloadRepository,
        string repositoryPath, IReadOnlyList<string> pushOptions, string gitPath)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in environment)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var name = entry[..equals];
            if (Array.IndexOf(Allowed, name) >= 0 || name.StartsWith("GIT_TRACE", StringComparison.Ordinal))
            {
                result[name] = entry[(equals + 1)..];
            }
        }

        if (pushOptions.Count > 0)
        {
            result["GIT_PUSH_OPTION_COUNT"] = pushOptions.Count.ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < pushOptions.Count; i++)
            {
                result["GIT_PUSH_OPTION_" + i.ToString(CultureInfo.InvariantCulture)] = pushOptions[i];
            }
        }

        var objectDirectory = Get(environment, "GIT_OBJECT_DIRECTORY");
        if (string.IsNullOrEmpty(objectDirectory) && payloadRepository.GitObjectDirectory.Length > 0)
        {
            objectDirectory = Path.Combine(repositoryPath, payloadRepository.GitObjectDirectory);
        }

        if (!string.IsNullOrEmpty(objectDirectory))
        {
            result["GIT_OBJECT_DIRECTORY"] = objectDirectory;
        }

        var alternates = Get(environment, "GIT_ALTERNATE_OBJECT_DIRECTORIES");
        if (string.IsNullOrEmpty(alternates) && payloadRepository.GitAlternateObjectDirectories.Count > 0)
        {
            alternates = string.Join(':', payloadRepository.GitAlternateObjectDirectories.Select(a => Path.Combine(repositoryPath, a)));
        }

        if (!string.IsNullOrEmpty(alternates))
        {
            result["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = alternates;
        }

        var gitDirectory = Path.GetDirectoryName(gitPath);
        if (!string.IsNullOrEmpty(gitDirectory))
        {
            var path = Get(environment, "PATH");
            if (string.IsNullOrEmpty(path))
            {
                path = Environment.GetEnvironmentVariable("PATH") ?? "";
            }

            result["PATH"] = gitDirectory + ":" + path;
        }

        foreach (var (key, value) in GitEnvironment.Build())
        {
            if (key.StartsWith("GIT_CONFIG", StringComparison.Ordinal))
            {
                // Hooks that run git see the same (empty) system and global config as Lode's own git.
                result[key] = value;
            }
        }

        result["GIT_DIR"] = repositoryPath;
        result["GL_REPOSITORY"] = payloadRepository.GlRepository;
        result["GL_PROJECT_PATH"] = payloadRepository.GlProjectPath;
        result["GL_ID"] = payload.UserDetails?.UserId ?? "";
        result["GL_USERNAME"] = payload.UserDetails?.Username ?? "";
        result["GL_PROTOCOL"] = payload.UserDetails?.Protocol ?? "";
        return result;
    }
}
