using System.Text;
using System.Text.RegularExpressions;

namespace Lode.Git.Licenses;

/// <summary>
/// Turns a license text into the word sequence that is compared, following the SPDX matching guidelines: case,
/// whitespace, punctuation, quotes, list markers and copyright notices do not count, and British and American
/// spellings are the same word. Both the templates and the candidate files go through here.
/// </summary>
public static partial class LicenseTokenizer
{
    /// <summary>Varietal spellings (SPDX guideline 8), mapped to one form.</summary>
    private static readonly Dictionary<string, string> Spellings = new(StringComparer.Ordinal)
    {
        ["acknowledgment"] = "acknowledgement",
        ["analogue"] = "analog",
        ["analyse"] = "analyze",
        ["artefact"] = "artifact",
        ["authorisation"] = "authorization",
        ["authorised"] = "authorized",
        ["calibre"] = "caliber",
        ["cancelled"] = "canceled",
        ["capitalisations"] = "capitalizations",
        ["catalogue"] = "catalog",
        ["categorise"] = "categorize",
        ["centre"] = "center",
        ["emphasised"] = "emphasized",
        ["favour"] = "favor",
        ["favourite"] = "favorite",
        ["fulfil"] = "fulfill",
        ["fulfilment"] = "fulfillment",
        ["initialise"] = "initialize",
        ["judgment"] = "judgement",
        ["labelling"] = "labeling",
        ["labour"] = "labor",
        ["licence"] = "license",
        ["licences"] = "licenses",
        ["licenced"] = "licensed",
        ["licencing"] = "licensing",
        ["maximise"] = "maximize",
        ["modelled"] = "modeled",
        ["modelling"] = "modeling",
        ["offence"] = "offense",
        ["optimise"] = "optimize",
        ["organisation"] = "organization",
        ["organise"] = "organize",
        ["practise"] = "practice",
        ["programme"] = "program",
        ["realise"] = "realize",
        ["recognise"] = "recognize",
        ["signalling"] = "signaling",
        ["utilisation"] = "utilization",
        ["whilst"] = "while",
        ["wilful"] = "wilfull",
    };

    /// <summary>The words of <paramref name="text"/>, lower-case, in order.</summary>
    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>(text.Length / 6);
        var word = new StringBuilder();
        foreach (var rawLine in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = rawLine.Trim().ToLowerInvariant();
            if (line.Length == 0 || IsCopyrightNotice(line))
            {
                continue;
            }

            line = ListMarker().Replace(line, string.Empty, 1);
            foreach (var c in line)
            {
                if (char.IsLetterOrDigit(c))
                {
                    word.Append(c);
                    continue;
                }

                Flush(word, tokens);
            }

            Flush(word, tokens);
        }

        return tokens;
    }

    private static void Flush(StringBuilder word, List<string> tokens)
    {
        if (word.Length == 0)
        {
            return;
        }

        var text = word.ToString();
        word.Clear();
        tokens.Add(Spellings.GetValueOrDefault(text, text));
    }

    /// <summary>
    /// A line that states who holds the copyright ("Copyright (c) 2024 Jane", "© Acme", "(C) 1999 …"): it differs
    /// in every copy of a license, so it is left out (SPDX guideline 9 and its copyright-notice rule).
    /// </summary>
    private static bool IsCopyrightNotice(string line) => CopyrightNotice().IsMatch(line);

    [GeneratedRegex(@"^(©|\(c\)|copyright\s*(©|\(c\)|[0-9<\[{:]|$))", RegexOptions.CultureInvariant)]
    private static partial Regex CopyrightNotice();

    /// <summary>A bullet or list number at the start of a line (SPDX guideline 7): "1.", "(a)", "iv)", "*", "-".</summary>
    [GeneratedRegex(@"^([-*•·●]|\(?([0-9]+(\.[0-9]+)*|[a-z]|[ivx]+)[.)\]])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ListMarker();
}
