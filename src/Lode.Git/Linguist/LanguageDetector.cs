using System.Text;
using System.Text.RegularExpressions;

namespace Lode.Git.Linguist;

/// <summary>
/// Detects a file's language the way go-enry's <c>GetLanguage</c> does for Gitaly: strategies in order (modeline,
/// file name, shebang, extension, XML header, man page name, content heuristics), each either settling on one
/// language or narrowing the candidates; binary content has no language.
/// </summary>
/// <remarks>
/// go-enry ends with a Bayesian classifier trained on Linguist's samples, which Linguist's published data does not
/// carry. When candidates remain after the heuristics, Lode prefers the language whose primary (first listed)
/// extension is the file's, then the first by name: for the common ambiguous cases (".h" → C, ".m" resolved by
/// heuristics, ".pl" by heuristics) this is what the classifier picks, but for rare ambiguous files the choice
/// may differ from Gitaly's.
/// </remarks>
public static partial class LanguageDetector
{
    /// <summary>The detected language name, or empty when none.</summary>
    public static string GetLanguage(string path, ReadOnlySpan<byte> content)
    {
        foreach (var language in GetLanguages(path, content))
        {
            if (language.Length > 0)
            {
                return language;
            }
        }

        return "";
    }

    /// <summary>The candidate languages, best first; empty for binary content or when nothing matches.</summary>
    public static IReadOnlyList<string> GetLanguages(string path, ReadOnlySpan<byte> content)
    {
        if (IsBinary(content))
        {
            return [];
        }

        var data = LinguistData.Instance;
        var text = Encoding.UTF8.GetString(content);
        string[] languages = [];
        for (var strategy = 0; strategy < 8; strategy++)
        {
            var candidates = strategy switch
            {
                0 => ByModeline(data, text),
                1 => ByFilename(data, path),
                2 => ByShebang(data, text),
                3 => ByExtension(data, path),
                4 => ByXml(text, languages),
                5 => ByManpage(path),
                6 => ByContent(data, path, text),
                _ => ByPreference(data, path, languages),
            };

            if (candidates.Length == 0)
            {
                continue;
            }

            if (candidates.Length == 1)
            {
                return candidates;
            }

            languages = candidates;
        }

        return languages;
    }

    /// <summary>git's and go-enry's rule: a NUL byte in the first 8000 bytes means binary.</summary>
    public static bool IsBinary(ReadOnlySpan<byte> content) => content[..Math.Min(content.Length, 8000)].Contains((byte)0);

    private static string[] ByModeline(LinguistData data, string text)
    {
        var scope = HeaderAndFooter(text);
        var emacs = EmacsModeline().Matches(scope);
        if (emacs.Count > 0)
        {
            var last = emacs[^1].Groups[1].Value;
            var mode = EmacsLanguage().Match(last);
            var alias = mode.Success ? mode.Groups[1].Value : last;
            return data.LanguageByAlias(alias) is { } language ? [language] : [];
        }

        var vim = VimModeline().Matches(scope);
        if (vim.Count == 0)
        {
            return [];
        }

        var settings = VimLanguage().Matches(vim[^1].Groups[1].Value);
        if (settings.Count == 0)
        {
            return [];
        }

        // Conflicting filetype/syntax settings name no language.
        var first = settings[0].Groups[1].Value;
        foreach (Match setting in settings)
        {
            if (!string.Equals(setting.Groups[1].Value, first, StringComparison.Ordinal))
            {
                return [];
            }
        }

        return data.LanguageByAlias(first) is { } vimLanguage ? [vimLanguage] : [];
    }

    /// <summary>go-enry looks for modelines in the first and last five lines only.</summary>
    private static string HeaderAndFooter(string text)
    {
        const int Scope = 5;
        var newlines = 0;
        foreach (var c in text)
        {
            newlines += c == '\n' ? 1 : 0;
        }

        if (text.Length == 0 || newlines < 2 * Scope)
        {
            return text;
        }

        var headerEnd = -1;
        for (var i = 0; i < Scope; i++)
        {
            headerEnd = text.IndexOf('\n', headerEnd + 1);
        }

        var footerStart = text.Length;
        for (var i = 0; i < Scope; i++)
        {
            footerStart = text.LastIndexOf('\n', footerStart - 1);
        }

        return string.Concat(text.AsSpan(0, headerEnd), text.AsSpan(footerStart + 1));
    }

    private static string[] ByFilename(LinguistData data, string path)
    {
        var name = BaseName(path);
        return name.Length > 0 && data.ByFilename.TryGetValue(name, out var languages) ? languages : [];
    }

    private static string[] ByShebang(LinguistData data, string text)
    {
        var interpreter = Interpreter(text);
        return interpreter.Length > 0 && data.ByInterpreter.TryGetValue(interpreter, out var languages) ? languages : [];
    }

    private static string Interpreter(string text)
    {
        var line = FirstLines(text, 1);
        if (!line.StartsWith("#!", StringComparison.Ordinal))
        {
            return "";
        }

        line = line[2..].Trim();
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0)
        {
            return "";
        }

        string interpreter;
        if (fields[0].Contains("env", StringComparison.Ordinal))
        {
            interpreter = fields.Length > 1 ? fields[1] : "";
        }
        else
        {
            interpreter = fields[0][(fields[0].LastIndexOf('/') + 1)..];
        }

        if (interpreter == "sh")
        {
            // "exec ruby "$0" "$@"" in the first lines of a shell wrapper names the real interpreter.
            var lines = text.Split('\n');
            for (var i = 0; i < Math.Min(5, lines.Length); i++)
            {
                var exec = ShellExec().Match(lines[i].TrimEnd('\r'));
                if (exec.Success)
                {
                    interpreter = exec.Groups[1].Value;
                    break;
                }
            }
        }

        if (PythonVersion().IsMatch(interpreter))
        {
            interpreter = interpreter[..interpreter.IndexOf('.', StringComparison.Ordinal)];
        }

        // osascript -l runs another language.
        if (interpreter == "osascript" && line.Contains("-l", StringComparison.Ordinal))
        {
            interpreter = "";
        }

        return interpreter;
    }

    private static string[] ByExtension(LinguistData data, string path)
    {
        var lower = path.ToLowerInvariant();
        for (var dot = lower.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = lower.IndexOf('.', dot + 1))
        {
            if (data.ByExtension.TryGetValue(lower[dot..], out var languages))
            {
                return languages;
            }
        }

        return [];
    }

    private static string[] ByXml(string text, string[] candidates)
    {
        if (candidates.Length > 0)
        {
            return candidates;
        }

        // go-enry's pattern is "<?xml version=", in which "<?" is an optional '<'.
        return FirstLines(text, 2).Contains("xml version=", StringComparison.Ordinal) ? ["XML"] : [];
    }

    private static string[] ByManpage(string path) =>
        ManpageExtension().IsMatch(path.ToLowerInvariant()) ? ["Roff Manpage", "Roff"] : [];

    private static string[] ByContent(LinguistData data, string path, string text)
    {
        var extension = Extension(path).ToLowerInvariant();
        if (!data.Heuristics.TryGetValue(extension, out var rules))
        {
            return [];
        }

        foreach (var rule in rules)
        {
            if (!Matches(rule, text))
            {
                continue;
            }

            var languages = new List<string>(rule.Languages.Length);
            foreach (var name in rule.Languages)
            {
                if (data.LanguageByAlias(name) is { } language)
                {
                    languages.Add(language);
                }
            }

            return [.. languages];
        }

        return [];
    }

    /// <summary>
    /// go-enry's semantics for patterns RE2 cannot compile: a pattern rule then never matches, a negative one
    /// always does.
    /// </summary>
    private static bool Matches(HeuristicRule rule, string text) => rule.Kind switch
    {
        HeuristicKind.Always => true,
        HeuristicKind.Pattern => rule.Pattern!.Regex?.IsMatch(text) ?? false,
        HeuristicKind.NegativePattern => !(rule.Pattern!.Regex?.IsMatch(text) ?? false),
        _ => rule.Parts.All(part => Matches(part, text)),
    };

    /// <summary>Stands in for go-enry's classifier (see remarks): primary extension first, then by name.</summary>
    private static string[] ByPreference(LinguistData data, string path, string[] candidates)
    {
        if (candidates.Length == 0)
        {
            return [];
        }

        var extension = Extension(path).ToLowerInvariant();
        return candidates
            .Distinct(StringComparer.Ordinal)
            .OrderBy(name => data.Languages.TryGetValue(name, out var info) && info.PrimaryExtension == extension ? 0 : 1)
            .ThenBy(name => name, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Go's <c>filepath.Base</c>.</summary>
    internal static string BaseName(string path)
    {
        var trimmed = path.TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return path.Length == 0 ? "." : "/";
        }

        return trimmed[(trimmed.LastIndexOf('/') + 1)..];
    }

    /// <summary>Go's <c>filepath.Ext</c>: from the last dot of the last path element, or empty.</summary>
    internal static string Extension(string path)
    {
        for (var i = path.Length - 1; i >= 0 && path[i] != '/'; i--)
        {
            if (path[i] == '.')
            {
                return path[i..];
            }
        }

        return "";
    }

    /// <summary>The text up to (not including) the <paramref name="count"/>-th newline, or all of it.</summary>
    private static string FirstLines(string text, int count)
    {
        var end = -1;
        for (; count > 0; count--)
        {
            var next = text.IndexOf('\n', end + 1);
            if (next < 0)
            {
                return text;
            }

            end = next;
        }

        return text[..end];
    }

    [GeneratedRegex(@".*-\*-\s*(.+?)\s*-\*-.*(?m:$)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex EmacsModeline();

    [GeneratedRegex(@".*(?i:mode)\s*:\s*([^\s;]+)\s*;*.*", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex EmacsLanguage();

    [GeneratedRegex(@"(?:(?m:\s|^)vi(?:m[<=>]?\d+|m)?|[\t\x20]*ex)\s*[:]\s*(.*)(?m:$)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex VimModeline();

    [GeneratedRegex(@"(?i:filetype|ft|syntax)\s*=(\w+)(?:\s|:|$)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex VimLanguage();

    [GeneratedRegex(@"exec (\w+).+\$0.+\$@", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex ShellExec();

    [GeneratedRegex(@"python\d\.\d+", RegexOptions.CultureInvariant)]
    private static partial Regex PythonVersion();

    [GeneratedRegex(@"\.(?:[1-9](?:[a-z_]+[a-z_0-9]*)?|0p|n|man|mdoc)(?:\.in)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex ManpageExtension();
}
