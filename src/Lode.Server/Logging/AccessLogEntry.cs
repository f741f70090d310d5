using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace Lode.Server.Logging;

/// <summary>
/// One access-log line (spec §11) with Gitaly's field names. The fields are typed so the JSON writer can emit them
/// without boxing or re-encoding names (this line is written for every RPC); other log providers see the same
/// fields as the usual list of key/value pairs, built only when one asks.
/// </summary>
public sealed class AccessLogEntry(string message) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private List<KeyValuePair<string, object?>>? pairs;

    public string Message { get; } = message;

    public string? CorrelationId { get; init; }
    public string? Service { get; init; }
    public string? Method { get; init; }
    public string? Code { get; init; }
    public double TimeMs { get; init; }
    public DateTime StartTime { get; init; }
    public DateTime? Deadline { get; init; }
    public string? ClientName { get; init; }
    public string? DeadlineType { get; init; }
    public string? MethodType { get; init; }
    public string? MethodOperation { get; init; }
    public string? MethodScope { get; init; }
    public string? FullMethod { get; init; }
    public string? RepoStorage { get; init; }
    public string? RepoPath { get; init; }
    public string? GlRepository { get; init; }
    public string? GlProjectPath { get; init; }
    public int? RequestPayloadBytes { get; init; }
    public long? ResponsePayloadBytes { get; init; }
    public string? RemoteIp { get; init; }
    public string? UserId { get; init; }
    public string? Username { get; init; }
    public string? FeatureFlags { get; init; }
    public string? Error { get; init; }
    public IReadOnlyDictionary<string, string>? ErrorMetadata { get; init; }
    public int? CommandCount { get; init; }
    public double? CommandRealTimeMs { get; init; }

    public int Count => Pairs.Count;

    public KeyValuePair<string, object?> this[int index] => Pairs[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Pairs.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;

    /// <summary>Writes the fields (not time/level/msg/pid) into an open JSON object.</summary>
    public void WriteFields(Utf8JsonWriter json)
    {
        Str(json, Names.CorrelationId, CorrelationId);
        Str(json, Names.Service, Service);
        Str(json, Names.Method, Method);
        Str(json, Names.Code, Code);
        json.WriteNumber(Names.TimeMs, TimeMs);
        Time(json, Names.StartTime, StartTime);
        if (Deadline is { } deadline)
        {
            Time(json, Names.Deadline, deadline);
        }

        Str(json, Names.ClientName, ClientName);
        Str(json, Names.DeadlineType, DeadlineType);
        Str(json, Names.MethodType, MethodType);
        Str(json, Names.MethodOperation, MethodOperation);
        Str(json, Names.MethodScope, MethodScope);
        Str(json, Names.FullMethod, FullMethod);
        Str(json, Names.RepoStorage, RepoStorage);
        Str(json, Names.RepoPath, RepoPath);
        Str(json, Names.GlRepository, GlRepository);
        Str(json, Names.GlProjectPath, GlProjectPath);
        if (RequestPayloadBytes is { } requestBytes)
        {
            json.WriteNumber(Names.RequestPayloadBytes, requestBytes);
        }

        if (ResponsePayloadBytes is { } responseBytes)
        {
            json.WriteNumber(Names.ResponsePayloadBytes, responseBytes);
        }

        Str(json, Names.RemoteIp, RemoteIp);
        Str(json, Names.UserId, UserId);
        Str(json, Names.Username, Username);
        Str(json, Names.FeatureFlags, FeatureFlags);
        json.WriteString(Names.SpanKind, Names.Server);
        json.WriteString(Names.System, Names.Grpc);
        Str(json, Names.Error, Error);
        if (ErrorMetadata is { Count: > 0 } metadata)
        {
            json.WriteStartObject(Names.ErrorMetadata);
            foreach (var (key, value) in metadata)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        if (CommandCount is { } count)
        {
            json.WriteNumber(Names.CommandCount, count);
        }

        if (CommandRealTimeMs is { } realTime)
        {
            json.WriteNumber(Names.CommandRealTimeMs, realTime);
        }
    }

    private List<KeyValuePair<string, object?>> Pairs => pairs ??= BuildPairs();

    private List<KeyValuePair<string, object?>> BuildPairs()
    {
        var list = new List<KeyValuePair<string, object?>>(32);
        void Add(string key, object? value)
        {
            if (value is not null)
            {
                list.Add(new(key, value));
            }
        }

        Add("correlation_id", CorrelationId);
        Add("grpc.service", Service);
        Add("grpc.method", Method);
        Add("grpc.code", Code);
        Add("grpc.time_ms", TimeMs);
        Add("grpc.start_time", StartTime.ToString(LogFields.TimeFormat, CultureInfo.InvariantCulture));
        Add("grpc.request.deadline", Deadline?.ToString(LogFields.TimeFormat, CultureInfo.InvariantCulture));
        Add("grpc.meta.client_name", ClientName);
        Add("grpc.meta.deadline_type", DeadlineType);
        Add("grpc.meta.method_type", MethodType);
        Add("grpc.meta.method_operation", MethodOperation);
        Add("grpc.meta.method_scope", MethodScope);
        Add("grpc.request.fullMethod", FullMethod);
        Add("grpc.request.repoStorage", RepoStorage);
        Add("grpc.request.repoPath", RepoPath);
        Add("grpc.request.glRepository", GlRepository);
        Add("grpc.request.glProjectPath", GlProjectPath);
        Add("grpc.request.payload_bytes", RequestPayloadBytes);
        Add("grpc.response.payload_bytes", ResponsePayloadBytes);
        Add("remote_ip", RemoteIp);
        Add("user_id", UserId);
        Add("username", Username);
        Add("feature_flags", FeatureFlags);
        Add("span.kind", "server");
        Add("system", "grpc");
        Add("error", Error);
        Add("error_metadata", ErrorMetadata);
        Add("command.count", CommandCount);
        Add("command.real_time_ms", CommandRealTimeMs);
        return list;
    }

    private static void Str(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void Time(Utf8JsonWriter json, JsonEncodedText name, DateTime value)
    {
        Span<byte> buffer = stackalloc byte[LogFields.TimeLength];
        LogFields.FormatTime(value, buffer);
        json.WriteString(name, buffer);
    }

    /// <summary>Field names, encoded once.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText CorrelationId = JsonEncodedText.Encode("correlation_id");
        public static readonly JsonEncodedText Service = JsonEncodedText.Encode("grpc.service");
        public static readonly JsonEncodedText Method = JsonEncodedText.Encode("grpc.method");
        public static readonly JsonEncodedText Code = JsonEncodedText.Encode("grpc.code");
        public static readonly JsonEncodedText TimeMs = JsonEncodedText.Encode("grpc.time_ms");
        public static readonly JsonEncodedText StartTime = JsonEncodedText.Encode("grpc.start_time");
        public static readonly JsonEncodedText Deadline = JsonEncodedText.Encode("grpc.request.deadline");
        public static readonly JsonEncodedText ClientName = JsonEncodedText.Encode("grpc.meta.client_name");
        public static readonly JsonEncodedText DeadlineType = JsonEncodedText.Encode("grpc.meta.deadline_type");
        public static readonly JsonEncodedText MethodType = JsonEncodedText.Encode("grpc.meta.method_type");
        public static readonly JsonEncodedText MethodOperation = JsonEncodedText.Encode("grpc.meta.method_operation");
        public static readonly JsonEncodedText MethodScope = JsonEncodedText.Encode("grpc.meta.method_scope");
        public static readonly JsonEncodedText FullMethod = JsonEncodedText.Encode("grpc.request.fullMethod");
        public static readonly JsonEncodedText RepoStorage = JsonEncodedText.Encode("grpc.request.repoStorage");
        public static readonly JsonEncodedText RepoPath = JsonEncodedText.Encode("grpc.request.repoPath");
        public static readonly JsonEncodedText GlRepository = JsonEncodedText.Encode("grpc.request.glRepository");
        public static readonly JsonEncodedText GlProjectPath = JsonEncodedText.Encode("grpc.request.glProjectPath");
        public static readonly JsonEncodedText RequestPayloadBytes = JsonEncodedText.Encode("grpc.request.payload_bytes");
        public static readonly JsonEncodedText ResponsePayloadBytes = JsonEncodedText.Encode("grpc.response.payload_bytes");
        public static readonly JsonEncodedText RemoteIp = JsonEncodedText.Encode("remote_ip");
        public static readonly JsonEncodedText UserId = JsonEncodedText.Encode("user_id");
        public static readonly JsonEncodedText Username = JsonEncodedText.Encode("username");
        public static readonly JsonEncodedText FeatureFlags = JsonEncodedText.Encode("feature_flags");
        public static readonly JsonEncodedText SpanKind = JsonEncodedText.Encode("span.kind");
        public static readonly JsonEncodedText Server = JsonEncodedText.Encode("server");
        public static readonly JsonEncodedText System = JsonEncodedText.Encode("system");
        public static readonly JsonEncodedText Grpc = JsonEncodedText.Encode("grpc");
        public static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
        public static readonly JsonEncodedText ErrorMetadata = JsonEncodedText.Encode("error_metadata");
        public static readonly JsonEncodedText CommandCount = JsonEncodedText.Encode("command.count");
        public static readonly JsonEncodedText CommandRealTimeMs = JsonEncodedText.Encode("command.real_time_ms");
    }
}
