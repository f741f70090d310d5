using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Lode.Git.CatFile;
using Lode.Git.Objects;

namespace Lode.Git.Licenses;

/// <summary>
/// Finds the license of a commit the way Gitaly does with go-license-detector: files at the top of the tree whose
/// name looks like a license (LICENSE, COPYING, LICENCE.md, MIT.txt, gpl-3.0, …; never a README) are read and
/// matched against the SPDX templates. A file under 128 bytes that names another file stands for that file.
/// </summary>
public static partial class LicenseFinder
{
    /// <summary>Files smaller than this may hold just the name of the real license file.</summary>
    private const int PointerFileSize = 128;

    /// <summary>Confidences closer than this to the best one are ties (see <see cref="FindAsync"/>).</summary>
    private const float TieTolerance = 0.005f;

    /// <summary>
    /// The best match (highest confidence, then the smallest id in ordinal order, as Gitaly sorts), or only
    /// the first license-looking file that was read when none matched, or nothing when there is no such file.
    /// </summary>
    public static async Task<LicenseFinderResult> FindAsync(ObjectReader reader, string commitOid, CancellationToken cancellationToken)
    {
        var format = ObjectFormat.FromHexLength(commitOid.Length) ?? throw new ArgumentException("not an object id", nameof(commitOid));
        var candidates = new List<(byte[] Name, string Oid)>();
        using (var tree = await reader.ReadAsync(commitOid + "^{tree}", cancellationToken))
        {
            if (tree is null || tree.Type != ObjectTypes.Tree)
            {
                return LicenseFinderResult.None;
            }

            foreach (var entry in new TreeEntryEnumerator(tree.Span, format))
            {
                if (entry.Kind is not (TreeEntryKind.Blob or TreeEntryKind.Executable or TreeEntryKind.Symlink))
                {
                    continue;
                }

                var name = Encoding.UTF8.GetString(entry.Name).ToLowerInvariant();
                if (ReadmeName().IsMatch(name) || !LicenseFileName().IsMatch(name))
                {
                    continue;
                }

                candidates.Add((entry.Name.ToArray(), entry.ObjectIdHex));
            }
        }

        string? firstPath = null;
        var best = new Dictionary<LicenseTemplate, (float Confidence, string Path)>();
        foreach (var (rawName, oid) in candidates)
        {
            var path = Encoding.UTF8.GetString(rawName);
            var content = await ReadBlobAsync(reader, oid, cancellationToken);
            if (content is null)
            {
                continue;
            }

            firstPath ??= path;
            if (content.Length < PointerFileSize)
            {
                var target = Encoding.UTF8.GetString(content).Trim();
                if (target.Length > 0 && await ReadBlobAsync(reader, commitOid + ":" + target, cancellationToken) is { } real)
                {
                    path = target;
                    content = real;
                }
            }

            var text = Preprocess(path, Encoding.UTF8.GetString(content));
            foreach (var (license, confidence) in LicenseDetector.Shared.Match(text))
            {
                if (!best.TryGetValue(license, out var current) || confidence > current.Confidence)
                {
                    best[license] = (confidence, path);
                }
            }
        }

        if (best.Count == 0)
        {
            return firstPath is null ? LicenseFinderResult.None : new LicenseFinderResult(null, 0, firstPath);
        }

        // Highest confidence first, then the smallest id (Gitaly's order). Confidences within a hair of the best count
        // as equal: SPDX's "-only", "-or-later", "+" and deprecated texts of one license are the same words with other
        // line breaks, so which of them scores a shade higher depends on how a file happens to be wrapped. Treating
        // them as tied answers the plain id (gpl-2.0), which is what Gitaly answers for the usual license files.
        var bestConfidence = best.Values.Max(static v => v.Confidence);
        LicenseTemplate? top = null;
        var topPath = string.Empty;
        foreach (var (license, (confidence, path)) in best)
        {
            if (confidence >= bestConfidence - TieTolerance && (top is null || string.CompareOrdinal(license.Id, top.Id) < 0))
            {
                top = license;
                topPath = path;
            }
        }

        return new LicenseFinderResult(top, best[top!].Confidence, topPath);
    }

    private static async Task<byte[]?> ReadBlobAsync(ObjectReader reader, string revision, CancellationToken cancellationToken)
    {
        if (revision.Contains('\0', StringComparison.Ordinal) || revision.Contains('\n', StringComparison.Ordinal))
        {
            return null;
        }

        using var blob = await reader.ReadAsync(revision, cancellationToken);
        return blob is null || blob.Type != ObjectTypes.Blob ? null : blob.Span.ToArray();
    }

    /// <summary>Markup is reduced to its text, as go-license-detector does for .md, .rst and .html files.</summary>
    private static string Preprocess(string path, string text)
    {
        var extension = Path.GetExtension(path);
        return extension switch
        {
            ".html" => WebUtility.HtmlDecode(HtmlTag().Replace(text, " ")),
            ".md" => MarkdownLink().Replace(HtmlTag().Replace(text, " "), "$1"),
            ".rst" => text,
            _ => text,
        };
    }

    /// <summary>go-license-detector's license file names, matched against the lower-case file name.</summary>
    [GeneratedRegex(@"^(|.*[-_. ])(li[cs]en[cs]e(s?)|legal|copy(left|right|ing)|unlicense|l?gpl([-_ v]?)(\d\.?\d)?|bsd|mit|apache)(|[-_. ].*)$",
        RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex LicenseFileName();

    /// <summary>Gitaly leaves READMEs out (go-license-detector would guess a license from their wording).</summary>
    [GeneratedRegex(@"(readme|guidelines)(\.md|\.rst|\.html|\.txt)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ReadmeName();

    [GeneratedRegex("<[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)", RegexOptions.CultureInvariant)]
    private static partial Regex MarkdownLink();
}
