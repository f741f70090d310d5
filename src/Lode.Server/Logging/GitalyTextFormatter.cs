using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Lode.Server.Logging;

/// <summary>
/// Gitaly's default <c>text</c> format (logrus): <c>time="…" level=info msg="…" key=value …</c> on one line.
/// </summary>
public sealed class GitalyTextFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "gitaly-text";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var line = new StringBuilder(256);
        line.Append("time=\"").Append(DateTime.UtcNow.ToString(LogFields.TimeFormat, CultureInfo.InvariantCulture)).Append('"');
        line.Append(" level=").Append(LogFields.Level(logEntry.LogLevel));
        line.Append(" msg=");
        AppendValue(line, logEntry.Formatter(logEntry.State, logEntry.Exception));
        line.Append(" pid=").Append(LogFields.ProcessId);
        foreach (var (key, value) in LogFields.Of(logEntry.State))
        {
            line.Append(' ').Append(key).Append('=');
            AppendValue(line, value);
        }

        scopeProvider?.ForEachScope((scope, sb) =>
        {
            foreach (var (key, value) in LogFields.Of(scope))
            {
                sb.Append(' ').Append(key).Append('=');
                AppendValue(sb, value);
            }
        }, line);

        if (logEntry.Exception is { } exception)
        {
            line.Append(" error=");
            AppendValue(line, exception.Message);
        }

        line.Append('\n');
        textWriter.Write(line.ToString());
    }

    /// <summary>Quotes values that contain spaces, quotes or '=' as logrus does; plain tokens stay bare.</summary>
    private static void AppendValue(StringBuilder sb, object? value)
    {
        var text = value switch
        {
            null => "<nil>",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            System.Collections.IDictionary d => string.Join(' ', d.Keys.Cast<object>().Select(k => k + ":" + d[k])),
            _ => value.ToString() ?? "",
        };

        var needsQuotes = text.Length == 0;
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '/' or '@' or '^' or '+'))
            {
                needsQuotes = true;
                break;
            }
        }

        if (!needsQuotes)
        {
            sb.Append(text);
            return;
        }

        sb.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        sb.Append('"');
    }
}
