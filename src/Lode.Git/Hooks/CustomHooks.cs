namespace Lode.Git.Hooks;

/// <summary>
/// Finds a repository's custom server hooks (spec §8.6) in Gitaly's order: <c>&lt;repo&gt;/custom_hooks/&lt;hook&gt;</c>,
/// then <c>&lt;repo&gt;/custom_hooks/&lt;hook&gt;.d/*</c>, then <c>&lt;custom_hooks_dir&gt;/&lt;hook&gt;.d/*</c>; within a folder
/// by file name. Only executable files that are not folders and whose name does not end in <c>~</c> count.
/// </summary>
public static class CustomHooks
{
    /// <summary>The folder of a repository that holds its hooks, and the root of the hooks tar archive.</summary>
    public const string DirectoryName = "custom_hooks";

    public static IReadOnlyList<string> Find(string repositoryPath, string hookName, string? globalHooksDir)
    {
        var hooks = new List<string>();
        var single = Path.Combine(repositoryPath, DirectoryName, hookName);
        if (IsValidHook(single))
        {
            hooks.Add(single);
        }

        AddFolder(hooks, Path.Combine(repositoryPath, DirectoryName, hookName + ".d"));
        if (!string.IsNullOrEmpty(globalHooksDir))
        {
            AddFolder(hooks, Path.Combine(globalHooksDir, hookName + ".d"));
        }

        return hooks;
    }

    private static void AddFolder(List<string> hooks, string folder)
    {
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries(folder);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return;
        }

        Array.Sort(entries, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (IsValidHook(entry))
            {
                hooks.Add(entry);
            }
        }
    }

    /// <summary>A regular file (or a link to one) that is executable and not a backup (<c>~</c>).</summary>
    public static bool IsValidHook(string path)
    {
        if (path.EndsWith('~') || Directory.Exists(path) || !File.Exists(path))
        {
            return false;
        }

        try
        {
            // Follows symlinks, as stat(2) does; a dangling link throws and is no hook.
            var mode = File.GetUnixFileMode(path);
            return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
