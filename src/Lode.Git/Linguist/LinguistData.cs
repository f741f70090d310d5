using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lode.Git.Linguist;

/// <summary>
/// GitHub Linguist's data, as go-enry (and so Gitaly) uses it: languages with their type, colour, group and id,
/// the lookup tables by extension, file name, interpreter and alias, the vendor and documentation path patterns,
/// and the content heuristics for ambiguous extensions. Loaded once from <c>linguist.json</c>, an embedded file
/// that <c>tools/linguist/update-languages.mjs</c> regenerates from the npm packages that carry Linguist's files.
/// </summary>
internal sealed class LinguistData
{
    private static readonly Lazy<LinguistData> Shared = new(Load);

    private LinguistData(
        FrozenDictionary<string, LanguageInfo> languages,
        FrozenDictionary<string, string[]> byExtension,
        FrozenDictionary<string, string[]> byFilename,
        FrozenDictionary<string, string[]> byInterpreter,
        FrozenDictionary<string, string> byAlias,
        Regex?[] vendor,
        Regex?[] documentation,
        FrozenDictionary<string, HeuristicRule[]> heuristics)
    {
        Languages = languages;
        ByExtension = byExtension;
        ByFilename = byFilename;
        ByInterpreter = byInterpreter;
        ByAlias = byAlias;
        Vendor = vendor;
        Documentation = documentation;
        Heuristics = heuristics;
    }

    public static LinguistData Instance => Shared.Value;

    /// <summary>Languages by their exact name.</summary>
    public FrozenDictionary<string, LanguageInfo> Languages { get; }

    /// <summary>Lower-case extension with its dot (".rb", ".h.in") → candidate languages, sorted by name.</summary>
    public FrozenDictionary<string, string[]> ByExtension { get; }

    /// <summary>Exact file name ("Makefile") → candidate languages.</summary>
    public FrozenDictionary<string, string[]> ByFilename { get; }

    /// <summary>Shebang interpreter ("python3", "ruby") → candidate languages.</summary>
    public FrozenDictionary<string, string[]> ByInterpreter { get; }

    /// <summary>Alias key (lower case, spaces as underscores) → language name; names are aliases of themselves.</summary>
    public FrozenDictionary<string, string> ByAlias { get; }

    /// <summary>vendor.yml patterns; null entries are patterns RE2 (so Gitaly) cannot use.</summary>
    public Regex?[] Vendor { get; }

    /// <summary>documentation.yml patterns; null entries as for <see cref="Vendor"/>.</summary>
    public Regex?[] Documentation { get; }

    /// <summary>Lower-case extension → disambiguation rules, first match wins.</summary>
    public FrozenDictionary<string, HeuristicRule[]> Heuristics { get; }

    /// <summary>go-enry's alias key: up to the first comma, spaces as underscores, lower case.</summary>
    public static string AliasKey(string alias)
    {
        var comma = alias.IndexOf(',', StringComparison.Ordinal);
        var key = comma >= 0 ? alias[..comma] : alias;
        return key.Replace(' ', '_').ToLowerInvariant();
    }

    public string? LanguageByAlias(string alias) => ByAlias.GetValueOrDefault(AliasKey(alias));

    private static LinguistData Load()
    {
        using var stream = typeof(LinguistData).Assembly.GetManifestResourceStream("Lode.Git.Linguist.linguist.json")
            ?? throw new InvalidOperationException("linguist.json is not embedded");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;

        var languages = new Dictionary<string, LanguageInfo>(StringComparer.Ordinal);
        var byExtension = new SortedListBuilder();
        var byFilename = new SortedListBuilder();
        var byInterpreter = new SortedListBuilder();
        var byAlias = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var language in root.GetProperty("languages").EnumerateArray())
        {
            var name = language.GetProperty("name").GetString()!;
            languages[name] = new LanguageInfo(
                name,
                ParseType(language.GetProperty("type").GetString()),
                Optional(language, "color"),
                Optional(language, "group"),
                language.TryGetProperty("id", out var id) ? id.GetInt64() : 0,
                Strings(language, "extensions").FirstOrDefault()?.ToLowerInvariant());

            byAlias.TryAdd(AliasKey(name), name);
            foreach (var alias in Strings(language, "aliases"))
            {
                byAlias.TryAdd(AliasKey(alias), name);
            }

            foreach (var extension in Strings(language, "extensions"))
            {
                byExtension.Add(extension.ToLowerInvariant(), name);
            }

            foreach (var filename in Strings(language, "filenames"))
            {
                byFilename.Add(filename, name);
            }

            foreach (var interpreter in Strings(language, "interpreters"))
            {
                byInterpreter.Add(interpreter, name);
            }
        }

        var heuristics = new Dictionary<string, HeuristicRule[]>(StringComparer.Ordinal);
        foreach (var disambiguation in root.GetProperty("heuristics").EnumerateArray())
        {
            var rules = new List<HeuristicRule>();
            foreach (var rule in disambiguation.GetProperty("rules").EnumerateArray())
            {
                rules.Add(ParseRule(rule));
            }

            foreach (var extension in disambiguation.GetProperty("extensions").EnumerateArray())
            {
                heuristics.TryAdd(extension.GetString()!.ToLowerInvariant(), [.. rules]);
            }
        }

        return new LinguistData(
            languages.ToFrozenDictionary(StringComparer.Ordinal),
            byExtension.Build(),
            byFilename.Build(),
            byInterpreter.Build(),
            byAlias.ToFrozenDictionary(StringComparer.Ordinal),
            [.. Strings(root, "vendor").Select(p => LinguistRegex.Compile(p, multiline: false))],
            [.. Strings(root, "documentation").Select(p => LinguistRegex.Compile(p, multiline: false))],
            heuristics.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static HeuristicRule ParseRule(JsonElement rule)
    {
        var languages = Strings(rule, "languages").ToArray();
        if (rule.TryGetProperty("and", out var and))
        {
            var parts = new List<HeuristicRule>();
            foreach (var part in and.EnumerateArray())
            {
                parts.Add(ParseRule(part));
            }

            return new HeuristicRule(languages, HeuristicKind.And, null, [.. parts]);
        }

        if (Optional(rule, "pattern") is { } pattern)
        {
            return new HeuristicRule(languages, HeuristicKind.Pattern, new LazyPattern(pattern), []);
        }

        if (Optional(rule, "negativePattern") is { } negative)
        {
            return new HeuristicRule(languages, HeuristicKind.NegativePattern, new LazyPattern(negative), []);
        }

        return new HeuristicRule(languages, HeuristicKind.Always, null, []);
    }

    private static LanguageType ParseType(string? type) => type switch
    {
        "data" => LanguageType.Data,
        "programming" => LanguageType.Programming,
        "markup" => LanguageType.Markup,
        "prose" => LanguageType.Prose,
        _ => LanguageType.Unknown,
    };

    private static string? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IEnumerable<string> Strings(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            yield break;
        }

        foreach (var item in value.EnumerateArray())
        {
            yield return item.GetString()!;
        }
    }

    /// <summary>Collects key → names, each list sorted and without duplicates, as go-enry's generated tables are.</summary>
    private sealed class SortedListBuilder
    {
        private readonly Dictionary<string, SortedSet<string>> map = new(StringComparer.Ordinal);

        public void Add(string key, string name)
        {
            if (!map.TryGetValue(key, out var names))
            {
                names = new SortedSet<string>(StringComparer.Ordinal);
                map[key] = names;
            }

            names.Add(name);
        }

        public FrozenDictionary<string, string[]> Build() =>
            map.ToFrozenDictionary(static p => p.Key, static p => p.Value.ToArray(), StringComparer.Ordinal);
    }
}

/// <summary>One language of Linguist's languages.yml.</summary>
/// <param name="PrimaryExtension">The first extension Linguist lists, lower case; null when it lists none.</param>
internal sealed record LanguageInfo(string Name, LanguageType Type, string? Color, string? Group, long Id, string? PrimaryExtension);

/// <summary>A heuristics.yml rule: which languages it names and how it matches content.</summary>
internal sealed record HeuristicRule(string[] Languages, HeuristicKind Kind, LazyPattern? Pattern, HeuristicRule[] Parts);

internal enum HeuristicKind
{
    Always,
    Pattern,
    NegativePattern,
    And,
}

/// <summary>A heuristic's pattern, compiled on first use (most extensions are never seen).</summary>
internal sealed class LazyPattern(string pattern)
{
    private readonly Lazy<Regex?> compiled = new(() => LinguistRegex.Compile(pattern, multiline: true));

    public string Source => pattern;

    /// <summary>Null when RE2 cannot compile the pattern, in which case go-enry ignores it.</summary>
    public Regex? Regex => compiled.Value;
}
