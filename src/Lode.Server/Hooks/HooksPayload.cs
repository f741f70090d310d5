using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lode.Server.Hooks;

/// <summary>
/// <c>GITALY_HOOKS_PAYLOAD</c> (spec §8.2): base64 of this JSON, set in the environment of every git process that
/// may run hooks. The hooks executable reads it to learn which repository, which user, and where to call back
/// (the internal socket with its token). Field names are Gitaly's, so a Gitaly hook could read ours.
/// </summary>
public sealed record HooksPayload
{
    public const string EnvironmentVariable = "GITALY_HOOKS_PAYLOAD";

    /// <summary>Bit flags of hooks that may run (0 = all).</summary>
    [JsonPropertyName("requested_hooks")]
    public int RequestedHooks { get; init; }

    [JsonPropertyName("feature_flags_with_value")]
    public IReadOnlyList<FeatureFlagValue> FeatureFlagsWithValue { get; init; } = [];

    /// <summary>The <c>gitaly.Repository</c> message as protojson, embedded as a string.</summary>
    [JsonPropertyName("repository")]
    public string Repository { get; init; } = "";

    [JsonPropertyName("object_format")]
    public string ObjectFormat { get; init; } = "sha1";

    [JsonPropertyName("runtime_dir")]
    public string RuntimeDir { get; init; } = "";

    [JsonPropertyName("internal_socket")]
    public string InternalSocket { get; init; } = "";

    [JsonPropertyName("internal_socket_token")]
    public string InternalSocketToken { get; init; } = "";

    [JsonPropertyName("transaction")]
    public HooksTransaction? Transaction { get; init; }

    [JsonPropertyName("user_details")]
    public HooksUserDetails? UserDetails { get; init; }

    [JsonPropertyName("transaction_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong TransactionId { get; init; }

    public string ToEnvironmentValue() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(this, HooksPayloadJsonContext.Default.HooksPayload));

    /// <summary>Reads the variable's value (see <see cref="HooksPayloadReader"/> for why not with the serializer).</summary>
    public static HooksPayload FromEnvironmentValue(string value) => HooksPayloadReader.Read(Convert.FromBase64String(value));
}

/// <summary>Hook bits of <see cref="HooksPayload.RequestedHooks"/>.</summary>
[Flags]
public enum RequestedHooks
{
    All = 0,
    ReferenceTransaction = 1,
    Update = 2,
    PreReceive = 4,
    PostReceive = 8,
    PackObjects = 16,
    ProcReceive = 32,

    /// <summary>What git receive-pack runs.</summary>
    ReceivePack = ReferenceTransaction | Update | PreReceive | PostReceive,
}

/// <summary>Who pushes, as GitLab identifies them; forwarded to GitLab's access checks.</summary>
public sealed record HooksUserDetails
{
    [JsonPropertyName("username")]
    public string Username { get; init; } = "";

    [JsonPropertyName("userid")]
    public string UserId { get; init; } = "";

    [JsonPropertyName("protocol")]
    public string Protocol { get; init; } = "";

    [JsonPropertyName("remote_ip")]
    public string RemoteIp { get; init; } = "";
}

/// <summary>The cluster transaction a hook must vote in (null outside a cluster).</summary>
public sealed record HooksTransaction
{
    [JsonPropertyName("backchannel_id")]
    public ulong BackchannelId { get; init; }

    [JsonPropertyName("id")]
    public ulong Id { get; init; }

    [JsonPropertyName("node")]
    public string Node { get; init; } = "";

    [JsonPropertyName("primary")]
    public bool Primary { get; init; }
}

/// <summary>A feature flag and its value for this request, forwarded into hooks.</summary>
public sealed record FeatureFlagValue
{
    [JsonPropertyName("flag")]
    public FeatureFlag Flag { get; init; } = new();

    [JsonPropertyName("enabled")]
    public bool Enabled { get; init; }
}

/// <summary>A feature flag's identity.</summary>
public sealed record FeatureFlag
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("on_by_default")]
    public bool OnByDefault { get; init; }
}

/// <summary>Source-generated JSON metadata for writing the payload without reflection.</summary>
[JsonSerializable(typeof(HooksPayload))]
internal sealed partial class HooksPayloadJsonContext : JsonSerializerContext;
