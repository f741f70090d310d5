using System.Text.Json;

namespace Lode.Server.Hooks;

/// <summary>
/// Reads the payload's JSON field by field. The hooks executable reads it once per hook, and JsonSerializer's first
/// call (options, resolver and converter set-up) cost about 0.7 ms of a NativeAOT hook's few; the server writes the
/// payload with the serializer, and a test reads every field back through this reader. As the serializer would,
/// names are case-sensitive, unknown properties are skipped, and a value of the wrong type is an error.
/// </summary>
internal static class HooksPayloadReader
{
    public static HooksPayload Read(ReadOnlySpan<byte> json)
    {
        try
        {
            return ReadPayload(json);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // Utf8JsonReader's typed getters report a value of another type, or a number out of range, this way.
            throw new JsonException("hooks payload: " + e.Message, e);
        }
    }

    private static HooksPayload ReadPayload(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var payload = ReadObject(ref reader, "hooks payload", static (ref Utf8JsonReader r, string name, HooksPayload p) => name switch
        {
            "requested_hooks" => p with { RequestedHooks = r.GetInt32() },
            "feature_flags_with_value" => p with { FeatureFlagsWithValue = ReadFlags(ref r) },
            "repository" => p with { Repository = String(ref r) },
            "object_format" => p with { ObjectFormat = String(ref r) },
            "runtime_dir" => p with { RuntimeDir = String(ref r) },
            "internal_socket" => p with { InternalSocket = String(ref r) },
            "internal_socket_token" => p with { InternalSocketToken = String(ref r) },
            "transaction" => p with { Transaction = ReadTransaction(ref r) },
            "user_details" => p with { UserDetails = ReadUser(ref r) },
            "transaction_id" => p with { TransactionId = r.GetUInt64() },
            _ => Skip(ref r, p),
        }, new HooksPayload()) ?? throw new JsonException("empty hooks payload");
        if (reader.Read())
        {
            throw new JsonException("hooks payload: unexpected data after the object");
        }

        return payload;
    }

    private delegate T FieldReader<T>(ref Utf8JsonReader reader, string name, T value);

    /// <summary>An object (or null) whose properties <paramref name="field"/> folds into <paramref name="empty"/>.</summary>
    private static T? ReadObject<T>(ref Utf8JsonReader reader, string what, FieldReader<T> field, T empty)
        where T : class
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"{what}: expected a JSON object");
        }

        var value = empty;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            value = field(ref reader, name, value);
        }

        return value;
    }

    private static List<FeatureFlagValue> ReadFlags(ref Utf8JsonReader reader)
    {
        var flags = new List<FeatureFlagValue>();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return flags;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("feature_flags_with_value: expected a JSON array");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var flag = ReadObject(ref reader, "feature flag", static (ref Utf8JsonReader r, string name, FeatureFlagValue f) => name switch
            {
                "flag" => f with
                {
                    Flag = ReadObject(ref r, "flag", static (ref Utf8JsonReader r2, string n, FeatureFlag g) => n switch
                    {
                        "name" => g with { Name = String(ref r2) },
                        "on_by_default" => g with { OnByDefault = r2.GetBoolean() },
                        _ => Skip(ref r2, g),
                    }, new FeatureFlag()) ?? new FeatureFlag(),
                },
                "enabled" => f with { Enabled = r.GetBoolean() },
                _ => Skip(ref r, f),
            }, new FeatureFlagValue());
            flags.Add(flag ?? throw new JsonException("feature_flags_with_value: null entry"));
        }

        return flags;
    }

    private static HooksTransaction? ReadTransaction(ref Utf8JsonReader reader) =>
        ReadObject(ref reader, "transaction", static (ref Utf8JsonReader r, string name, HooksTransaction t) => name switch
        {
            "backchannel_id" => t with { BackchannelId = r.GetUInt64() },
            "id" => t with { Id = r.GetUInt64() },
            "node" => t with { Node = String(ref r) },
            "primary" => t with { Primary = r.GetBoolean() },
            _ => Skip(ref r, t),
        }, new HooksTransaction());

    private static HooksUserDetails? ReadUser(ref Utf8JsonReader reader) =>
        ReadObject(ref reader, "user_details", static (ref Utf8JsonReader r, string name, HooksUserDetails u) => name switch
        {
            "username" => u with { Username = String(ref r) },
            "userid" => u with { UserId = String(ref r) },
            "protocol" => u with { Protocol = String(ref r) },
            "remote_ip" => u with { RemoteIp = String(ref r) },
            _ => Skip(ref r, u),
        }, new HooksUserDetails());

    /// <summary>A string property; JSON null reads as empty, as the record's defaults are.</summary>
    private static string String(ref Utf8JsonReader reader) =>
        reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Null => "",
            _ => throw new JsonException($"expected a string, found {reader.TokenType}"),
        };

    private static T Skip<T>(ref Utf8JsonReader reader, T value)
    {
        reader.Skip();
        return value;
    }

}
