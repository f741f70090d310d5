using System.IO.Compression;
using System.Text.Json;

namespace Lode.Git.Licenses;

/// <summary>
/// The SPDX licenses FindLicense recognises (see <c>tools/licenses/generate.cs</c> for where they come from),
/// loaded once from the embedded resource. Each distinct text is tokenized once; ids that share a text (a
/// deprecated id and its successor, "-only" and "-or-later") share it here too.
/// </summary>
public sealed class LicenseDatabase
{
    private const string ResourceName = "Lode.Git.Licenses.spdx-licenses.json.br";

    private static readonly Lazy<LicenseDatabase> Instance = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private LicenseDatabase(string source, IReadOnlyList<LicenseTemplate> licenses, IReadOnlyList<string> texts)
    {
        Source = source;
        Licenses = licenses;
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var tokenized = new int[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
        {
            var words = LicenseTokenizer.Tokenize(texts[i]);
            var ids = new int[words.Count];
            for (var j = 0; j < words.Count; j++)
            {
                if (!vocabulary.TryGetValue(words[j], out var id))
                {
                    id = vocabulary.Count;
                    vocabulary[words[j]] = id;
                }

                ids[j] = id;
            }

            tokenized[i] = ids;
        }

        Vocabulary = vocabulary;
        Texts = tokenized;

        // Inverse document frequency over the distinct texts: words every license has carry no weight.
        var documentFrequency = new int[vocabulary.Count];
        foreach (var text in tokenized)
        {
            foreach (var id in text.Distinct())
            {
                documentFrequency[id]++;
            }
        }

        InverseDocumentFrequency = new float[vocabulary.Count];
        for (var id = 0; id < documentFrequency.Length; id++)
        {
            InverseDocumentFrequency[id] = MathF.Log((float)tokenized.Length / documentFrequency[id]);
        }

        Weights = new Dictionary<int, float>[tokenized.Length];
        for (var i = 0; i < tokenized.Length; i++)
        {
            Weights[i] = WeighTokens(tokenized[i]);
        }

        var byText = new List<LicenseTemplate>[texts.Count];
        foreach (var license in licenses)
        {
            (byText[license.TextIndex] ??= []).Add(license);
        }

        LicensesByText = byText;
    }

    /// <summary>The database, loaded and tokenized on first use.</summary>
    public static LicenseDatabase Shared => Instance.Value;

    /// <summary>Where the data came from, e.g. <c>spdx-license-list@6.6.0</c>.</summary>
    public string Source { get; }

    public IReadOnlyList<LicenseTemplate> Licenses { get; }

    /// <summary>Word → id, over all templates.</summary>
    internal IReadOnlyDictionary<string, int> Vocabulary { get; }

    /// <summary>Each distinct text as word ids.</summary>
    internal int[][] Texts { get; }

    /// <summary>TF-IDF weights of each distinct text, word id → weight.</summary>
    internal Dictionary<int, float>[] Weights { get; }

    internal float[] InverseDocumentFrequency { get; }

    /// <summary>The licenses that have each distinct text.</summary>
    internal IReadOnlyList<LicenseTemplate>[] LicensesByText { get; }

    /// <summary>TF-IDF weights of a word sequence: log(1 + count) × idf, words of no weight left out.</summary>
    internal Dictionary<int, float> WeighTokens(IReadOnlyList<int> ids)
    {
        var counts = new Dictionary<int, int>();
        foreach (var id in ids)
        {
            if (id >= 0)
            {
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        var weights = new Dictionary<int, float>(counts.Count);
        foreach (var (id, count) in counts)
        {
            var weight = MathF.Log(1 + count) * InverseDocumentFrequency[id];
            if (weight > 0)
            {
                weights[id] = weight;
            }
        }

        return weights;
    }

    /// <summary>Each license id's full template text, read from the resource again (for tests and tools).</summary>
    internal static Dictionary<string, string> LoadTemplateTexts()
    {
        using var document = OpenResource();
        var root = document.RootElement;
        var texts = root.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToList();
        return root.GetProperty("licenses").EnumerateArray().ToDictionary(
            l => l.GetProperty("id").GetString()!, l => texts[l.GetProperty("text").GetInt32()], StringComparer.Ordinal);
    }

    private static JsonDocument OpenResource()
    {
        using var resource = typeof(LicenseDatabase).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("license database resource is missing: " + ResourceName);
        using var brotli = new BrotliStream(resource, CompressionMode.Decompress);
        return JsonDocument.Parse(brotli);
    }

    private static LicenseDatabase Load()
    {
        using var document = OpenResource();
        var root = document.RootElement;
        var licenses = new List<LicenseTemplate>();
        foreach (var license in root.GetProperty("licenses").EnumerateArray())
        {
            licenses.Add(new LicenseTemplate(
                license.GetProperty("id").GetString()!,
                license.GetProperty("name").GetString()!,
                license.GetProperty("url").GetString()!,
                license.GetProperty("text").GetInt32()));
        }

        var texts = new List<string>();
        foreach (var text in root.GetProperty("texts").EnumerateArray())
        {
            texts.Add(text.GetString()!);
        }

        return new LicenseDatabase(root.GetProperty("source").GetString()!, licenses, texts);
    }
}
