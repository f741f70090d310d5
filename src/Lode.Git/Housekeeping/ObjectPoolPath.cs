using System.Text.RegularExpressions;

namespace Lode.Git.Housekeeping;

/// <summary>
/// Recognises object pool repositories by their relative path, as Gitaly does: the layout Rails generates,
/// <c>@pools/aa/bb/&lt;64 hex&gt;.git</c> where aa and bb are the hash's first two byte pairs, or any path under
/// Praefect's <c>@cluster/pools/</c>. Housekeeping must know pools, because pruning a pool loses objects that its
/// members depend on.
/// </summary>
internal static partial class ObjectPoolPath
{
    private const string PraefectPoolPrefix = "@cluster/pools/";

    public static bool IsPoolPath(string? relativePath)
    {
        if (string.IsNullOrEmpty(relativePath))
        {
            return false;
        }

        if (relativePath.StartsWith(PraefectPoolPrefix, StringComparison.Ordinal))
        {
            return true;
        }

        var match = RailsPoolPath().Match(relativePath);
        if (!match.Success)
        {
            return false;
        }

        var hash = match.Groups[3].ValueSpan;
        return hash.StartsWith(match.Groups[1].ValueSpan, StringComparison.Ordinal)
            && hash[2..].StartsWith(match.Groups[2].ValueSpan, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\A@pools/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})\.git\z", RegexOptions.CultureInvariant)]
    private static partial Regex RailsPoolPath();
}
