using System.Globalization;

namespace Lode.Git.Commands;

/// <summary>
/// The installed git's version and what it can do. Features are detected by version rather than by probing,
/// so behaviour is decided once at startup.
/// </summary>
public sealed record GitVersion(int Major, int Minor, int Patch, string Text)
{
    /// <summary>The oldest git Lode runs with: Debian 12's.</summary>
    public static readonly GitVersion Minimum = new(2, 39, 0, "2.39.0");

    public bool IsSupported => CompareTo(Minimum) >= 0;

    /// <summary><c>cat-file -Z</c> (NUL-terminated output as well as input) arrived in git 2.42.</summary>
    public bool SupportsCatFileNulOutput => CompareTo(new GitVersion(2, 42, 0, "")) >= 0;

    /// <summary>The reftable reference backend (<c>init --ref-format</c>) arrived in git 2.45.</summary>
    public bool SupportsRefFormat => CompareTo(new GitVersion(2, 45, 0, "")) >= 0;

    public int CompareTo(GitVersion other)
    {
        if (Major != other.Major)
        {
            return Major.CompareTo(other.Major);
        }

        return Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);
    }

    /// <summary>Parses <c>git version 2.39.5</c> (also vendor suffixes such as <c>2.39.5.gl1</c> or <c>(Apple Git-1)</c>).</summary>
    public static GitVersion? Parse(string output)
    {
        const string prefix = "git version ";
        var text = output.Trim();
        if (!text.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var version = text[prefix.Length..].Split(' ')[0];
        var parts = version.Split('.');
        if (parts.Length < 2)
        {
            return null;
        }

        static int? Number(string s)
        {
            var end = 0;
            while (end < s.Length && char.IsAsciiDigit(s[end]))
            {
                end++;
            }

            return end == 0 ? null : int.Parse(s.AsSpan(0, end), CultureInfo.InvariantCulture);
        }

        var major = Number(parts[0]);
        var minor = Number(parts[1]);
        var patch = parts.Length > 2 ? Number(parts[2]) ?? 0 : 0;
        return major is null || minor is null ? null : new GitVersion(major.Value, minor.Value, patch, version);
    }

    public override string ToString() => Text;
}
