using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Logging;

/// <summary>
/// Renders one log entry as one line in Gitaly's formats, straight into UTF-8 bytes: JSON (<c>time</c>,
/// <c>level</c>, <c>msg</c>, <c>pid</c>, then the entry's fields, dots kept in names) or logrus text
/// (<c>time="…" level=info msg="…" key=value</c>). Operators' log pipelines filter on these names.
/// </summary>
public static class LogLineWriter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static Utf8JsonWriter? cachedJson;

    [ThreadStatic]
    private static StringBuilder? cachedText;

    public static void WriteJson<TState>(IBufferWriter<byte> output, LogLevel level, string message, TState state,
        Exception? exception, IExternalScopeProvider? scopes)
    {
        var json = cachedJson ??= new Utf8JsonWriter(output, JsonOptions);
        json.Reset(output);
        json.WriteStartObject();
        Span<byte> time = stackalloc byte[LogFields.TimeLength];
        LogFields.FormatTime(DateTime.UtcNow, time);
        json.WriteString("time"u8, time);
        json.WriteString("level"u8, LogFields.Level(level));
        json.WriteString("msg"u8, message);
        json.WriteNumber("pid"u8, LogFields.ProcessId);
        var hasError = false;
        if (state is AccessLogEntry entry)
        {
            // The per-RPC line: typed fields, names encoded once.
            entry.WriteFields(json);
            hasError = entry.Error is not null;
        }
        else if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
        {
            for (var i = 0; i < fields.Count; i++)
            {
                var (key, value) = fields[i];
                if (key != "{OriginalFormat}")
                {
                    hasError |= key == "error";
                    json.WritePropertyName(key);
                    WriteJsonValue(json, value);
                }
            }
        }

        scopes?.ForEachScope(static (scope, writer) =>
        {
            if (scope is IReadOnlyList<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    if (key != "{OriginalFormat}")
                    {
                        writer.WritePropertyName(key);
                        WriteJsonValue(writer, value);
                    }
                }
            }
        }, json);

        if (exception is not null && !hasError)
        {
            json.WriteString("error"u8, exception.Message);
            json.WriteString("stacktrace"u8, exception.ToString());
        }

        json.WriteEndObject();
        json.Flush();
        output.Write("\n"u8);
    }

    public static void WriteText<TState>(IBufferWriter<byte> output, LogLevel level, string message, TState state,
        Exception? exception, IExternalScopeProvider? scopes)
    {
        var line = cachedText ??= new StringBuilder(512);
        line.Clear();
        line.Append("time=\"").Append(DateTime.UtcNow.ToString(LogFields.TimeFormat, CultureInfo.InvariantCulture)).Append('"');
        line.Append(" level=").Append(LogFields.Level(level));
        line.Append(" msg=");
        AppendTextValue(line, message);
        line.Append(" pid=").Append(LogFields.ProcessId);
        if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
        {
            for (var i = 0; i < fields.Count; i++)
            {
                var (key, value) = fields[i];
                if (key != "{OriginalFormat}")
                {
                    line.Append(' ').Append(key).Append('=');
                    AppendTextValue(line, value);
                }
            }
        }

        scopes?.ForEachScope(static (scope, sb) =>
        {
            if (scope is IReadOnlyList<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    if (key != "{OriginalFormat}")
                    {
                        sb.Append(' ').Append(key).Append('=');
                        AppendTextValue(sb, value);
                    }
                }
            }
        }, line);

        if (exception is not null)
        {
            line.Append(" error=");
            AppendTextValue(line, exception.Message);
        }

        line.Append('\n');
        foreach (var chunk in line.GetChunks())
        {
            var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length));
            output.Advance(Encoding.UTF8.GetBytes(chunk.Span, span));
        }
    }

    /// <summary>A JSON line as a string (tests, and anything that needs one line outside a logger).</summary>
    public static string FormatJson(LogLevel level, object state, string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteJson(buffer, level, message, state, null, null);
        return Encoding.UTF8.GetString(buffer.WrittenSpan).TrimEnd('\n');
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? value)
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
                    WriteJsonValue(json, e.Value);
                }

                json.WriteEndObject();
                break;
            default:
                json.WriteStringValue(value.ToString());
                break;
        }
    }

    /// <summary>Quotes values that contain spaces, quotes or '=' as logrus does; plain tokens stay bare.</summary>
    private static void AppendTextValue(StringBuilder sb, object? value)
    {
        var text = value switch
        {
            null => "<nil>",
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            IDictionary d => DictionaryText(d),
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

    private static string DictionaryText(IDictionary dictionary)
    {
        var sb = new StringBuilder();
        foreach (DictionaryEntry e in dictionary)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(e.Key).Append(':').Append(e.Value);
        }

        return sb.ToString();
    }
}
