using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lode.Core.Configuration;

namespace Lode.Server.Lfs;

/// <summary>
/// What <c>lode lfs-smudge</c> needs to reach GitLab, passed by the server to the git process that runs it as
/// <c>LODE_LFS_SMUDGE_CONFIG</c> (base64 JSON): the repository and the <c>[gitlab]</c> settings with the secret read.
/// </summary>
public sealed record LfsSmudgeSettings
{
    public const string EnvironmentVariable = "LODE_LFS_SMUDGE_CONFIG";

    [JsonPropertyName("gl_repository")]
    public string GlRepository { get; init; } = "";

    [JsonPropertyName("url")]
    public string Url { get; init; } = "";

    [JsonPropertyName("relative_url_root")]
    public string? RelativeUrlRoot { get; init; }

    [JsonPropertyName("secret")]
    public string Secret { get; init; } = "";

    [JsonPropertyName("user")]
    public string? User { get; init; }

    [JsonPropertyName("password")]
    public string? Password { get; init; }

    [JsonPropertyName("ca_file")]
    public string? CaFile { get; init; }

    [JsonPropertyName("ca_path")]
    public string? CaPath { get; init; }

    [JsonPropertyName("read_timeout_seconds")]
    public double ReadTimeoutSeconds { get; init; }

    public static LfsSmudgeSettings From(LodeOptions options, string secret, string glRepository) => new()
    {
        GlRepository = glRepository,
        Url = options.Gitlab.Url ?? "",
        RelativeUrlRoot = options.Gitlab.RelativeUrlRoot,
        Secret = secret,
        User = options.Gitlab.HttpSettings.User,
        Password = options.Gitlab.HttpSettings.Password,
        CaFile = options.Gitlab.HttpSettings.CaFile,
        CaPath = options.Gitlab.HttpSettings.CaPath,
        ReadTimeoutSeconds = options.Gitlab.HttpSettings.ReadTimeout.TotalSeconds,
    };

    /// <summary>Options holding only what the GitLab client reads.</summary>
    public LodeOptions ToOptions() => new()
    {
        Gitlab = new GitlabOptions
        {
            Url = Url,
            RelativeUrlRoot = RelativeUrlRoot,
            Secret = Secret,
            HttpSettings = new GitlabHttpSettings
            {
                User = User,
                Password = Password,
                CaFile = CaFile,
                CaPath = CaPath,
                ReadTimeout = TimeSpan.FromSeconds(ReadTimeoutSeconds),
            },
        },
    };

    public string ToEnvironmentValue() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(this, LfsSmudgeSettingsJsonContext.Default.LfsSmudgeSettings));

    public static LfsSmudgeSettings FromEnvironmentValue(string value) =>
        JsonSerializer.Deserialize(Encoding.UTF8.GetString(Convert.FromBase64String(value)), LfsSmudgeSettingsJsonContext.Default.LfsSmudgeSettings)
        ?? throw new JsonException("empty lfs-smudge settings");
}

[JsonSerializable(typeof(LfsSmudgeSettings))]
internal sealed partial class LfsSmudgeSettingsJsonContext : JsonSerializerContext;
