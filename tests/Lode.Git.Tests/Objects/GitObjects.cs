using System.Text;
using Lode.TestKit;

namespace Lode.Git.Tests.Objects;

/// <summary>Reads and writes raw objects with the git CLI, for parser tests.</summary>
internal static class GitObjects
{
    public static Task<byte[]> RawAsync(TestRepo repo, string type, string oid) =>
        repo.GitBytesAsync(["cat-file", type, oid]);

    /// <summary>Writes an object as given; <paramref name="literally"/> skips git's format checks (for malformed ones).</summary>
    public static async Task<string> WriteAsync(TestRepo repo, string type, byte[] content, bool literally = false)
    {
        string[] args = literally
            ? ["hash-object", "-t", type, "-w", "--literally", "--stdin"]
            : ["hash-object", "-t", type, "-w", "--stdin"];
        return Encoding.ASCII.GetString(await repo.GitBytesAsync(args, content)).Trim();
    }

    public static async Task<string> HashAsync(TestRepo repo, string type, byte[] content) =>
        Encoding.ASCII.GetString(await repo.GitBytesAsync(["hash-object", "-t", type, "--stdin"], content)).Trim();

    /// <summary>
    /// <c>git log -1 --pretty=format:</c> with NUL-separated fields, split back into raw byte fields; git is the ground
    /// truth for what each part of a commit is.
    /// </summary>
    public static async Task<byte[][]> LogFieldsAsync(TestRepo repo, string oid, params string[] placeholders)
    {
        var format = string.Join("%x00", placeholders);
        var output = await repo.GitBytesAsync(["log", "-1", "--no-mailmap", "--date=raw", "--pretty=format:" + format, oid]);
        var fields = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= output.Length; i++)
        {
            if (i == output.Length || output[i] == 0)
            {
                fields.Add(output[start..i]);
                start = i + 1;
            }
        }

        return [.. fields];
    }

    /// <summary>Folds a multi-line header value as git does: each line after the first starts with a space.</summary>
    public static string FoldHeader(string key, string value) =>
        key + " " + value.TrimEnd('\n').Replace("\n", "\n ", StringComparison.Ordinal) + "\n";

    public const string PgpSignature =
        "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEwJhvN2kNr3CBpGNFfDY9dGFaq4AFAmVXYZ8ACgkQfDY9dGFa\nq4BbUQf/ZgU0QW4m8o7x5h6f0Lk=\n=QmKa\n-----END PGP SIGNATURE-----\n";

    public const string SshSignature =
        "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgo8sjEnbCKmGx0t4P1cbHvGEq\nAAAAQJ0kgSf3m+pM=\n-----END SSH SIGNATURE-----\n";

    public const string X509Signature =
        "-----BEGIN SIGNED MESSAGE-----\nMIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0B\nBwEAADGCAjgwggI0AgEB\n-----END SIGNED MESSAGE-----\n";
}
