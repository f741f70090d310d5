using System.Globalization;

namespace Lode.Benchmarks;

/// <summary><c>--name value</c> options after the benchmark name; flags without a value are "true".</summary>
public sealed class BenchmarkArgs
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    public BenchmarkArgs(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument \"{args[i]}\"");
            }

            var hasValue = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            values[args[i][2..]] = hasValue ? args[++i] : "true";
        }
    }

    public string? GetString(string name) => values.GetValueOrDefault(name);

    public string Require(string name) =>
        GetString(name) ?? throw new ArgumentException($"missing required option --{name}");

    public int GetInt(string name, int defaultValue) =>
        GetString(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : defaultValue;

    public bool GetFlag(string name) => GetString(name) is "true";
}
