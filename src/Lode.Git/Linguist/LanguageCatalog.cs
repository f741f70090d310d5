using System.Security.Cryptography;
using System.Text;

namespace Lode.Git.Linguist;

/// <summary>What Linguist knows about a language by name: its type, display colour and id.</summary>
public static class LanguageCatalog
{
    /// <summary>go-enry's colour for languages without one.</summary>
    private const string DefaultColor = "#cccccc";

    /// <summary>The language's type; <see cref="LanguageType.Unknown"/> for a name Linguist does not know.</summary>
    public static LanguageType TypeOf(string language) =>
        LinguistData.Instance.Languages.TryGetValue(language, out var info) ? info.Type : LanguageType.Unknown;

    /// <summary>Linguist's <c>language_id</c>; 0 for an unknown name.</summary>
    public static long IdOf(string language) =>
        LinguistData.Instance.Languages.TryGetValue(language, out var info) ? info.Id : 0;

    /// <summary>
    /// The colour Gitaly reports: the language's own, else its group's (go-enry's <c>GetColor</c>), else — when
    /// that would be go-enry's grey default — "#" and the first three bytes of the SHA-256 of the name in hex, so
    /// that every language still gets a stable colour of its own.
    /// </summary>
    public static string ColorOf(string language)
    {
        var languages = LinguistData.Instance.Languages;
        var color = DefaultColor;
        if (languages.TryGetValue(language, out var info))
        {
            if (info.Color is { } own)
            {
                color = own;
            }
            else if (info.Group is { } group && languages.TryGetValue(group, out var groupInfo) && groupInfo.Color is { } groupColor)
            {
                color = groupColor;
            }
        }

        if (color != DefaultColor)
        {
            return color;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(language));
        return "#" + Convert.ToHexStringLower(hash.AsSpan(0, 3));
    }
}
