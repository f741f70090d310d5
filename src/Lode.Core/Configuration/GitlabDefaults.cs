namespace Lode.Core.Configuration;

/// <summary>
/// Values Gitaly derives from <c>[gitlab-shell] dir</c> when they are not set explicitly: the GitLab secret file and
/// the global custom hooks folder. Computed on use, so that the validator sees what the operator wrote.
/// </summary>
public static class GitlabDefaults
{
    /// <summary>The name of the secret file inside <c>gitlab-shell.dir</c>.</summary>
    public const string SecretFileName = ".gitlab_shell_secret";

    /// <summary><c>[gitlab] secret_file</c>, else <c>&lt;gitlab-shell.dir&gt;/.gitlab_shell_secret</c>; null when neither is known.</summary>
    public static string? SecretFile(LodeOptions options)
    {
        if (!string.IsNullOrEmpty(options.Gitlab.SecretFile))
        {
            return options.Gitlab.SecretFile;
        }

        return string.IsNullOrEmpty(options.GitlabShell.Dir) ? null : Path.Combine(options.GitlabShell.Dir, SecretFileName);
    }

    /// <summary><c>[hooks] custom_hooks_dir</c>, else <c>&lt;gitlab-shell.dir&gt;/hooks</c>; null when neither is known.</summary>
    public static string? CustomHooksDir(LodeOptions options)
    {
        if (!string.IsNullOrEmpty(options.Hooks.CustomHooksDir))
        {
            return options.Hooks.CustomHooksDir;
        }

        return string.IsNullOrEmpty(options.GitlabShell.Dir) ? null : Path.Combine(options.GitlabShell.Dir, "hooks");
    }
}
