using Microsoft.Extensions.Logging;

namespace Lode.Server.Logging;

/// <summary>What both formatters share: logrus level names and how structured state becomes fields.</summary>
internal static class LogFields
{
    public const string TimeFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";

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
