using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Grpc.Core;
using Lode.Core.Errors;

namespace Lode.Server.Hooks;

/// <summary>
/// The cluster transaction Praefect names in a mutator's metadata (spec §3.1, §10.4): <c>gitaly-reference-transaction</c>,
/// base64 of <c>{"id":u64,"node":"&lt;storage&gt;","primary":bool}</c>. Hooks that run for the request carry it in their
/// payload, so that they vote in it.
/// </summary>
public static class TransactionMetadata
{
    public const string Key = "gitaly-reference-transaction";

    /// <summary>The call's transaction, or null outside a cluster. A header that does not decode is the caller's mistake.</summary>
    public static HooksTransaction? FromContext(ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue(Key) is not { Length: > 0 } value)
        {
            return null;
        }

        try
        {
            var header = JsonSerializer.Deserialize(Encoding.UTF8.GetString(Convert.FromBase64String(value)),
                TransactionMetadataJsonContext.Default.TransactionHeader) ?? throw new JsonException("null");
            return new HooksTransaction { Id = header.Id, Node = header.Node, Primary = header.Primary };
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw LodeException.InvalidArgument("invalid transaction metadata: " + e.Message);
        }
    }
}

internal sealed record TransactionHeader
{
    [JsonPropertyName("id")]
    public ulong Id { get; init; }

    [JsonPropertyName("node")]
    public string Node { get; init; } = "";

    [JsonPropertyName("primary")]
    public bool Primary { get; init; }
}

[JsonSerializable(typeof(TransactionHeader))]
internal sealed partial class TransactionMetadataJsonContext : JsonSerializerContext;
