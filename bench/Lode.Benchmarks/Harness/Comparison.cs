using System.Globalization;

namespace Lode.Benchmarks.Harness;

/// <summary>
/// One line of a benchmark's final table: Lode's and git's median figure for the same work, and their ratio.
/// <see cref="HigherIsBetter"/> says whether the figure is a throughput (ratio Lode/git, goal a minimum) or a time or
/// size (ratio Lode/git, goal a maximum).
/// </summary>
/// <remarks>With <see cref="GoalOnValue"/> the goal bounds Lode's own figure (a memory budget), not the ratio.</remarks>
public sealed record Comparison(string Name, string Mode, double Lode, double Git, string Unit, bool HigherIsBetter, double? Goal,
    string? Note = null, bool GoalOnValue = false)
{
    public double Ratio => Lode / Git;

    public string Verdict
    {
        get
        {
            if (Goal is not { } goal)
            {
                return "-";
            }

            var value = GoalOnValue ? Lode : Ratio;
            return (HigherIsBetter ? value >= goal : value <= goal) ? "ok" : "MISSED";
        }
    }

    public static void PrintTable(TextWriter output, string title, IReadOnlyList<Comparison> rows)
    {
        output.WriteLine();
        output.WriteLine(title);
        output.WriteLine($"{"measure",-42} {"mode",-10} {"lode",12} {"git",12} {"unit",-10} {"lode/git",9} {"goal",12} {"",7}");
        foreach (var row in rows)
        {
            var goal = row.Goal is { } g
                ? (row.HigherIsBetter ? ">= " : "<= ") + g.ToString("0.##", CultureInfo.InvariantCulture) + (row.GoalOnValue ? " " + row.Unit : "")
                : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Name,-42} {row.Mode,-10} {Format(row.Lode),12} {Format(row.Git),12} {row.Unit,-10} {(row.GoalOnValue ? "-" : row.Ratio.ToString("F2", CultureInfo.InvariantCulture)),9} {goal,12} {row.Verdict,7}{(row.Note is null ? "" : "  " + row.Note)}"));
        }
    }

    private static string Format(double value) =>
        double.IsNaN(value) ? "-" : value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("F2", CultureInfo.InvariantCulture);
}
