using System.Numerics;

namespace Lode.Git.Licenses;

/// <summary>
/// Scores a text against the SPDX templates, in the way of go-license-detector (which Gitaly uses): a cheap
/// TF-IDF similarity picks the templates worth comparing, then the confidence is one minus the word-level edit
/// distance over the length of the text, and templates below 75% are dropped. A license URL in the text counts
/// as a match too.
/// </summary>
/// <remarks>
/// Differences from go-license-detector, on purpose: the whole text is compared (it also tries the parts that
/// start at a license title), the candidate pre-selection is an exact weighted Jaccard instead of a MinHash LSH,
/// and the edit distance is derived from the longest common subsequence. The ranking of real license files is the
/// same; confidences can differ by a few points.
/// </remarks>
public sealed class LicenseDetector(LicenseDatabase database)
{
    /// <summary>go-license-detector's threshold for a match.</summary>
    public const float SimilarityThreshold = 0.75f;

    /// <summary>Weighted Jaccard similarity a template needs to be compared word by word.</summary>
    private const float PreselectionThreshold = 0.4f;

    /// <summary>How many of the most similar templates are compared word by word.</summary>
    private const int MaxCandidates = 16;

    public static LicenseDetector Shared { get; } = new(LicenseDatabase.Shared);

    /// <summary>The licenses <paramref name="text"/> matches, with their confidence in [0, 1].</summary>
    public Dictionary<LicenseTemplate, float> Match(string text)
    {
        var result = new Dictionary<LicenseTemplate, float>();
        var words = LicenseTokenizer.Tokenize(text);
        if (words.Count > 0)
        {
            var ids = new int[words.Count];
            for (var i = 0; i < words.Count; i++)
            {
                ids[i] = database.Vocabulary.TryGetValue(words[i], out var id) ? id : -1;
            }

            foreach (var textIndex in Preselect(ids))
            {
                var confidence = Confidence(ids, database.Texts[textIndex]);
                if (confidence >= SimilarityThreshold)
                {
                    foreach (var license in database.LicensesByText[textIndex] ?? [])
                    {
                        result[license] = confidence;
                    }
                }
            }
        }

        AddUrlMatches(text, result);
        return result;
    }

    /// <summary>The distinct texts most similar to <paramref name="ids"/> by weighted Jaccard, best first.</summary>
    private List<int> Preselect(int[] ids)
    {
        var weights = database.WeighTokens(ids);
        var total = 0f;
        foreach (var weight in weights.Values)
        {
            total += weight;
        }

        var scored = new List<(int Index, float Similarity)>();
        for (var i = 0; i < database.Weights.Length; i++)
        {
            var template = database.Weights[i];
            var templateTotal = 0f;
            var common = 0f;
            foreach (var (id, weight) in template)
            {
                templateTotal += weight;
                if (weights.TryGetValue(id, out var mine))
                {
                    common += Math.Min(weight, mine);
                }
            }

            var union = total + templateTotal - common;
            var similarity = union > 0 ? common / union : 0;
            if (similarity >= PreselectionThreshold)
            {
                scored.Add((i, similarity));
            }
        }

        scored.Sort(static (a, b) => b.Similarity.CompareTo(a.Similarity));
        var selected = new List<int>(Math.Min(scored.Count, MaxCandidates));
        for (var i = 0; i < scored.Count && i < MaxCandidates; i++)
        {
            selected.Add(scored[i].Index);
        }

        return selected;
    }

    /// <summary>
    /// 1 − distance / length of the text, where words the template does not have count as one word per run (so
    /// a name or a paragraph of extra text costs one edit, as in go-license-detector).
    /// </summary>
    internal static float Confidence(int[] text, int[] template)
    {
        var known = new HashSet<int>(template);
        var sequence = new List<int>(text.Length);
        foreach (var id in text)
        {
            if (known.Contains(id))
            {
                sequence.Add(id);
            }
            else if (sequence.Count == 0 || sequence[^1] != -1)
            {
                sequence.Add(-1);
            }
        }

        if (sequence.Count == 0)
        {
            return 0;
        }

        var common = LongestCommonSubsequence(sequence, template);
        var distance = Math.Max(sequence.Count, template.Length) - common;
        return 1f - ((float)distance / sequence.Count);
    }

    /// <summary>Length of the longest common subsequence, bit-parallel over the template (Hyyrö's algorithm).</summary>
    private static int LongestCommonSubsequence(List<int> sequence, int[] template)
    {
        var words = (template.Length + 63) / 64;
        var masks = new Dictionary<int, ulong[]>();
        for (var i = 0; i < template.Length; i++)
        {
            if (!masks.TryGetValue(template[i], out var mask))
            {
                mask = new ulong[words];
                masks[template[i]] = mask;
            }

            mask[i / 64] |= 1UL << (i % 64);
        }

        var v = new ulong[words];
        Array.Fill(v, ulong.MaxValue);
        foreach (var symbol in sequence)
        {
            if (!masks.TryGetValue(symbol, out var mask))
            {
                continue;
            }

            ulong carry = 0;
            ulong borrow = 0;
            for (var k = 0; k < words; k++)
            {
                var value = v[k];
                var u = value & mask[k];

                var sum = value + u;
                var carryOut = sum < value ? 1UL : 0UL;
                var sumWithCarry = sum + carry;
                carryOut |= sumWithCarry < sum ? 1UL : 0UL;
                carry = carryOut;

                var difference = value - u;
                var borrowOut = value < u ? 1UL : 0UL;
                var differenceWithBorrow = difference - borrow;
                borrowOut |= difference < borrow ? 1UL : 0UL;
                borrow = borrowOut;

                v[k] = sumWithCarry | differenceWithBorrow;
            }
        }

        var ones = 0;
        for (var k = 0; k < words; k++)
        {
            var value = v[k];
            if (k == words - 1 && template.Length % 64 != 0)
            {
                value &= (1UL << (template.Length % 64)) - 1;
            }

            ones += BitOperations.PopCount(value);
        }

        return template.Length - ones;
    }

    /// <summary>
    /// A license's reference URL in the text makes it a candidate: confidence 1 when nothing else found it, and at
    /// least the threshold when the text comparison found it weakly (go-license-detector's rule).
    /// </summary>
    private void AddUrlMatches(string text, Dictionary<LicenseTemplate, float> result)
    {
        foreach (var license in database.Licenses)
        {
            if (license.Url.Length == 0 || !text.Contains(license.Url, StringComparison.Ordinal))
            {
                continue;
            }

            var confidence = result.GetValueOrDefault(license);
            if (confidence < SimilarityThreshold)
            {
                result[license] = confidence == 0 ? 1 : SimilarityThreshold;
            }
        }
    }
}
