using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Lode.Server.Auth;

/// <summary>
/// Gitaly's v2 token (spec §2): <c>authorization: Bearer v2.&lt;hex HMAC-SHA256(token, ts)&gt;.&lt;ts&gt;</c>, valid for
/// 30 seconds either side of now. The secret itself never travels, and a captured header expires quickly.
/// </summary>
public sealed class TokenValidator(string token, TimeProvider time)
{
    /// <summary>How far the client's clock may be from ours.</summary>
    public static readonly TimeSpan TimestampSkew = TimeSpan.FromSeconds(30);

    private readonly byte[] key = Encoding.UTF8.GetBytes(token);

    /// <summary>
    /// Headers already verified, with their timestamp. A client signs the current second, so consecutive calls
    /// carry the same header and the HMAC (an OpenSSL call) need not be recomputed; the time window is still
    /// checked on every call. Only headers that verified are kept, and the cache is bounded.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> verified = new(StringComparer.Ordinal);

    private const int MaxVerified = 4096;

    /// <summary>Checks an <c>authorization</c> header value; <paramref name="error"/> names the failure for the metric.</summary>
    public TokenCheck Check(string? header, out string? error)
    {
        error = null;
        if (header is null)
        {
            return TokenCheck.Unauthenticated;
        }

        if (verified.TryGetValue(header, out var knownSeconds))
        {
            return CheckWindow(knownSeconds, out error);
        }

        // "Bearer <token>", scheme case-insensitive.
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0 || !header.AsSpan(0, space).Equals("bearer", StringComparison.OrdinalIgnoreCase))
        {
            return TokenCheck.Unauthenticated;
        }

        var value = header[(space + 1)..];

        // At most three parts: version, signature, timestamp.
        var parts = value.Split('.', 3);
        if (parts.Length < 3)
        {
            return TokenCheck.Unauthenticated;
        }

        byte[] signature;
        try
        {
            signature = Convert.FromHexString(parts[1]);
        }
        catch (FormatException)
        {
            return TokenCheck.Unauthenticated;
        }

        if (parts[0] != "v2")
        {
            error = "unsupported version";
            return TokenCheck.Denied;
        }

        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(parts[2]));
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            error = "wrong hmac signature";
            return TokenCheck.Denied;
        }

        if (!long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            error = "cannot parse timestamp";
            return TokenCheck.Denied;
        }

        var result = CheckWindow(seconds, out error);
        if (result == TokenCheck.Ok)
        {
            if (verified.Count >= MaxVerified)
            {
                verified.Clear();
            }

            verified.TryAdd(header, seconds);
        }

        return result;
    }

    private TokenCheck CheckWindow(long seconds, out string? error)
    {
        error = null;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (seconds < now - (long)TimestampSkew.TotalSeconds)
        {
            error = "timestamp too old";
            return TokenCheck.Denied;
        }

        if (seconds > now + (long)TimestampSkew.TotalSeconds)
        {
            error = "timestamp too new";
            return TokenCheck.Denied;
        }

        return TokenCheck.Ok;
    }

    /// <summary>Makes a v2 token for <paramref name="now"/>: what Lode itself sends when it calls a Gitaly-protocol server.</summary>
    /// <param name="hmac">HMAC-SHA256 of (key, message); .NET's by default. The hooks executable passes its own, which
    /// spares it loading OpenSSL.</param>
    public static string CreateHeader(string token, DateTimeOffset now, Func<byte[], byte[], byte[]>? hmac = null)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = Encoding.UTF8.GetBytes(token);
        var message = Encoding.UTF8.GetBytes(timestamp);
        var signature = hmac is null ? HMACSHA256.HashData(key, message) : hmac(key, message);
        return "Bearer v2." + Convert.ToHexStringLower(signature) + "." + timestamp;
    }
}
