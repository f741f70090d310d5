using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Lode.Server.Gitlab;

/// <summary>
/// The <c>Gitlab-Shell-Api-Request</c> header (spec §8.5): an HS256 JWT signed with the shared secret (whitespace
/// trimmed), issuer <c>gitlab-shell</c>, valid for a minute. GitLab accepts internal API calls only with it.
/// </summary>
public static class GitlabJwt
{
    public const string HeaderName = "Gitlab-Shell-Api-Request";

    public const string Issuer = "gitlab-shell";

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    // {"alg":"HS256","typ":"JWT"}, as golang-jwt writes it.
    private const string EncodedHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

    public static string Create(string secret, DateTimeOffset now)
    {
        var issuedAt = now.ToUnixTimeSeconds();
        var claims = string.Create(CultureInfo.InvariantCulture,
            $"{{\"iss\":\"{Issuer}\",\"exp\":{issuedAt + (long)Lifetime.TotalSeconds},\"iat\":{issuedAt}}}");
        var signingInput = EncodedHeader + "." + Base64Url(Encoding.UTF8.GetBytes(claims));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret.Trim()), Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
