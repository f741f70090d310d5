using System.Globalization;

namespace Lode.Core.Text;

/// <summary>
/// Parses Go's duration syntax ("1m", "1h30m", "250ms", "1.5h"), which Gitaly's config.toml uses for every
/// timeout, so that an existing config means the same thing here.
/// </summary>
public static class GoDuration
{
    private const decimal MaxTicks = long.MaxValue;

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.SequenceEqual("0"))
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        // decimal, not double: "0.57s" must be exactly 570 ms, as Go parses it; a double product gives 569.9999 ms.
        decimal totalTicks = 0;
        while (!s.IsEmpty)
        {
            var numberEnd = 0;
            while (numberEnd < s.Length && (char.IsAsciiDigit(s[numberEnd]) || s[numberEnd] == '.'))
            {
                numberEnd++;
            }

            if (numberEnd == 0 || !decimal.TryParse(s[..numberEnd], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            s = s[numberEnd..];
            var unitEnd = 0;
            while (unitEnd < s.Length && !char.IsAsciiDigit(s[unitEnd]) && s[unitEnd] != '.')
            {
                unitEnd++;
            }

            decimal ticksPerUnit = s[..unitEnd] switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => -1,
            };
            if (ticksPerUnit < 0 || number > MaxTicks / ticksPerUnit)
            {
                return false;
            }

            totalTicks += number * ticksPerUnit;
            if (totalTicks > MaxTicks)
            {
                return false;
            }

            s = s[unitEnd..];
        }

        value = TimeSpan.FromTicks((long)(negative ? -totalTicks : totalTicks));
        return true;
    }

    /// <summary>Formats as Go prints durations, for messages ("1m0s" style is not needed; "60s" is clear).</summary>
    public static string Format(TimeSpan value) => value.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";
}
