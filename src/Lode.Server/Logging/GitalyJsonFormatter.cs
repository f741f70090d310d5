using System.Collections;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Lode.Server.Logging;

/// <summary>
/// Writes each log entry as one JSON object with Gitaly's field names (<c>time</c>, <c>level</c>, <c>msg</c>,
/// <c>pid</c>, then the entry's own fields), because operators' log pipelines filter on them.
/// </summary>
public sealed class GitalyJsonFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "gitaly-json";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        textWriter.Write(Format(logEntry, scopeProvider));
        textWriter.Write('\n');
    }

    public static string Format<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("time", DateTime.UtcNow.ToString(LogFields.TimeFormat, System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", LogFields.Level(logEntry.LogLevel));
            json.WriteString("msg", logEntry.Formatter(logEntry.State, logEntry.Exception));
            json.WriteNumber("pid", LogFields.ProcessId);
            var hasError = false;
            foreach (var (key, value) in LogFields.Of(logEntry.State))
            {
                hasError |= key == "error";
                WriteField(json, key, value);
            }

            scopeProvider?.ForEachScope((scope, writer) =>
            {
                foreach (var (key, value) in LogFields.Of(scope))
                {
                    WriteField(writer, key, value);
                }
            }, json);

            if (logEntry.Exception is { } exception && !hasError)
            {
                json.WriteString("error", exception.Message);
                json.WriteString("stacktrace", exception.ToString());
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteField(Utf8JsonWriter json, string key, object? value)
    {
        json.WritePropertyName(key);
        WriteValue(json, value);
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case double d:
                json.WriteNumberValue(d);
                break;
            case IDictionary dictionary:
                json.WriteStartObject();
                foreach (DictionaryEntry e in dictionary)
                {
                    json.WritePropertyName(e.Key.ToString() ?? "");
                    WriteValue(json, e.Value);
                }

                json.WriteEndObject();
                break;
            default:
                json.WriteStringValue(value.ToString());
                break;
        }
    }

    /// <summary>Formats an entry outside a console logger (tests).</summary>
    public static string FormatEntry(LogLevel level, object state, string message) =>
        Format(new LogEntry<object>(level, "", default, state, null, (_, _) => message), null);
}
