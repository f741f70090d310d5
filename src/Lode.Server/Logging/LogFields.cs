using Microsoft.Extensions.Logging;

namespace Lode.Server.Logging;

/// <summary>What both formatters share: logrus level names and how structured state becomes fields.</summary>
internal static class LogFields
{
    public const string TimeFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";

    /// <summary>The length of a time in <see cref="TimeFormat"/>.</summary>
    public const int TimeLength = 24;

    /// <summary>
    /// Writes <paramref name="utc"/> in <see cref="TimeFormat"/> as UTF-8 digits. Every log line carries at least one
    /// time, and the general custom-format path of <c>DateTime.TryFormat</c> costs more than the rest of a short line.
    /// </summary>
    public static void FormatTime(DateTime utc, Span<byte> destination)
    {
        Digits(destination[..4], utc.Year);
        destination[4] = (byte)'-';
        Digits(destination.Slice(5, 2), utc.Month);
        destination[7] = (byte)'-';
        Digits(destination.Slice(8, 2), utc.Day);
        destination[10] = (byte)'T';
        Digits(destination.Slice(11, 2), utc.Hour);
        destination[13] = (byte)':';
        Digits(destination.Slice(14, 2), utc.Minute);
        destination[16] = (byte)':';
        Digits(destination.Slice(17, 2), utc.Second);
        destination[19] = (byte)'.';
        Digits(destination.Slice(20, 3), utc.Millisecond);
        destination[23] = (byte)'Z';
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    public static readonly int ProcessId = Environment.ProcessId;

    /// <summary>Level names as Gitaly's logrus writes them, so log queries keep working.</summary>
    public static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "fatal",
        _ => "info",
    };

    /// <summary>The structured fields of a log state, without the message template.</summary>
    public static IEnumerable<KeyValuePair<string, object?>> Of<TState>(TState state)
    {
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> pairs)
        {
            yield break;
        }

        for (var i = 0; i < pairs.Count; i++)
        {
            var pair = pairs[i];
            if (pair.Key != "{OriginalFormat}")
            {
                yield return pair;
            }
        }
    }
}
