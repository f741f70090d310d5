namespace Lode.Git.Linguist;

/// <summary>
/// Linguist's path rules from vendor.yml and documentation.yml (go-enry's <c>IsVendor</c> and
/// <c>IsDocumentation</c>): files under <c>vendor/</c>, <c>node_modules/</c>, minified bundles, <c>docs/</c>, README
/// and licence files… do not count towards a repository's languages. Paths are relative to the repository root.
/// </summary>
public static class PathClassifier
{
    public static bool IsVendored(string path) => MatchesAny(LinguistData.Instance.Vendor, path);

    public static bool IsDocumentation(string path) => MatchesAny(LinguistData.Instance.Documentation, path);

    private static bool MatchesAny(System.Text.RegularExpressions.Regex?[] patterns, string path)
    {
        foreach (var pattern in patterns)
        {
            if (pattern is not null && pattern.IsMatch(path))
            {
                return true;
            }
        }

        return false;
    }
}
