namespace Lode.Git.Advertisement;

/// <summary>
/// Which git config leaves receive-pack's ref advertisement as Lode writes it in-process. It is an allowlist: a key
/// Lode does not know might hide refs, drop a capability, add one, or change how the repository is read (includes,
/// extensions, worktree config), so any key outside it sends the advertisement back to git. Lode's own config for
/// receive-pack (hidden refs, push options) is the baseline that the capabilities learned from git already reflect.
/// </summary>
public static class AdvertisementConfig
{
    /// <summary>Sections that do not touch receive-pack's advertisement in any key.</summary>
    private static readonly HashSet<string> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        "gc", "maintenance", "pack", "repack", "fetch", "remote", "branch", "http", "commitgraph", "fsck", "user", "gitlab", "index",
        "uploadpack", "uploadarchive", "lfs", "pull", "merge", "diff", "log", "color", "advice", "i18n", "init", "status",
    };

    private static readonly HashSet<string> CoreKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "repositoryformatversion", "filemode", "bare", "logallrefupdates", "ignorecase", "precomposeunicode", "symlinks", "fsync",
        "fsyncmethod", "fsyncobjectfiles", "commitgraph", "multipackindex", "bigfilethreshold", "autocrlf", "usereplacerefs",
        "packedrefstimeout", "filesreflocktimeout", "compression", "loosecompression", "deltabasecachelimit", "packedgitlimit",
        "packedgitwindowsize", "sharedrepository", "hookspath",
    };

    private static readonly HashSet<string> ReceiveKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "fsckobjects", "maxinputsize", "unpacklimit", "autogc", "denydeletes", "denynonfastforwards", "denycurrentbranch",
        "denydeletecurrent", "updateserverinfo", "keepalive", "shallowupdate",
    };

    private static readonly HashSet<string> TransferKeys = new(StringComparer.OrdinalIgnoreCase) { "fsckobjects", "unpacklimit" };

    /// <summary>Whether every one of <paramref name="keys"/> (<c>section[.subsection].name</c>) is known to leave it.</summary>
    public static bool Allows(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            var firstDot = key.IndexOf('.', StringComparison.Ordinal);
            var lastDot = key.LastIndexOf('.');
            if (firstDot <= 0 || lastDot == key.Length - 1)
            {
                return false;
            }

            var subsection = lastDot > firstDot ? key[(firstDot + 1)..lastDot] : null;
            if (!Allows(key[..firstDot], subsection, key[(lastDot + 1)..]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether one key, split into its parts, is known to leave the advertisement as Lode writes it.</summary>
    public static bool Allows(string section, string? subsection, string name)
    {
        if (Sections.Contains(section))
        {
            return true;
        }

        return section.ToLowerInvariant() switch
        {
            "core" => subsection is null && CoreKeys.Contains(name),
            "receive" => subsection is null ? ReceiveKeys.Contains(name) : subsection == "fsck",
            "transfer" => subsection is null && TransferKeys.Contains(name),
            "extensions" => subsection is null && name.Equals("objectformat", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }
}
