using System.Globalization;
using System.Text;
using Gitaly;
using Google.Protobuf;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

/// <summary>
/// Shared test data for the history RPCs: histories written with <c>git fast-import</c> (one process for a
/// thousand commits), crafted raw commits (signatures, Latin-1 identities), and the <c>GitCommit</c> git itself
/// describes for an id, which the RPC answers are compared with.
/// </summary>
internal static class CommitTestData
{
    public const string PgpSignature = """
        -----BEGIN PGP SIGNATURE-----

        iHUEABYKAB0WIQReCOKeBZren2AFN0T+9BKLUsDX/wUCZVNlaQAKCRD+9BKLUsDX
        /219AP9j8jfQuLieg0Fl8xrOS74eJguYqIsPYI6lPDUvM5XmgQEAkhDUoWFd0ypR
        vXTEU/0CxcaXmlco/ThX2rCYwEUT6wA=
        =Wt+j
        -----END PGP SIGNATURE-----
        """;

    public const string SshSignature = """
        -----BEGIN SSH SIGNATURE-----
        U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgtc+Qk8jhMwVZk/jFEFCM16LNQb
        30q5kK30bbetfjyTMAAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5
        AAAAQADE1oOMKxqQu86XUQbhCoWx8GnnYHQ/i3mHdA0zPycIlDv8N6BRVDS6b0ja2Avj+s
        uNvjRqSEGQJ4q6vhKOnQw=
        -----END SSH SIGNATURE-----
        """;

    /// <summary>A linear history of <paramref name="count"/> commits on <paramref name="branch"/>, oldest first.</summary>
    public static async Task<string[]> FastImportAsync(TestRepo repo, int count, string branch = "main", int bodyBytes = 0)
    {
        var stream = new StringBuilder();
        for (var i = 1; i <= count; i++)
        {
            var message = "commit " + i.ToString(CultureInfo.InvariantCulture) + "\n";
            if (bodyBytes > 0)
            {
                message += "\n" + new string((char)('a' + (i % 26)), bodyBytes) + "\n";
            }

            var content = "content " + i.ToString(CultureInfo.InvariantCulture) + "\n";
            var date = (1600000000 + (i * 60)).ToString(CultureInfo.InvariantCulture);
            stream.Append("commit refs/heads/").Append(branch).Append('\n')
                .Append("mark :").Append(i).Append('\n')
                .Append("author Jane Doe <jane@example.com> ").Append(date).Append(" +0200\n")
                .Append("committer Jane Doe <jane@example.com> ").Append(date).Append(" +0200\n")
                .Append("data ").Append(Encoding.UTF8.GetByteCount(message)).Append('\n').Append(message)
                .Append("M 100644 inline file").Append(i % 7).Append('\n')
                .Append("data ").Append(Encoding.UTF8.GetByteCount(content)).Append('\n').Append(content).Append('\n');
        }

        await repo.GitBytesAsync(["fast-import", "--quiet"], Encoding.UTF8.GetBytes(stream.ToString()));
        var ids = await repo.GitLinesAsync("rev-list", "--reverse", "refs/heads/" + branch);
        return ids;
    }

    /// <summary>Writes a raw commit object (any bytes) and returns its id.</summary>
    public static async Task<string> WriteRawCommitAsync(TestRepo repo, byte[] raw) =>
        Encoding.ASCII.GetString(await repo.GitBytesAsync(["hash-object", "-w", "-t", "commit", "--literally", "--stdin"], raw)).Trim();

    /// <summary>
    /// A commit whose header carries <paramref name="signatureHeader"/> (gpgsig, gpgsig-sha256) with
    /// <paramref name="signature"/>, as git writes it: continuation lines start with a space.
    /// </summary>
    public static async Task<(string Id, byte[] Raw, byte[] SignedText)> WriteSignedCommitAsync(TestRepo repo, string signatureHeader,
        string signature, string message, string? parent = null)
    {
        var tree = await repo.WriteTreeAsync(new Dictionary<string, object> { ["signed.txt"] = "signed\n" });
        var head = new StringBuilder();
        head.Append("tree ").Append(tree).Append('\n');
        if (parent is not null)
        {
            head.Append("parent ").Append(parent).Append('\n');
        }

        head.Append("author Bug Fixer <bugfixer@email.com> 1700000000 +0100\n");
        head.Append("committer Bug Fixer <bugfixer@email.com> 1700000000 +0100\n");
        var signed = Encoding.UTF8.GetBytes(head + "\n" + message);
        var full = Encoding.UTF8.GetBytes(head + signatureHeader + " " + signature.Replace("\n", "\n ", StringComparison.Ordinal) + "\n\n" + message);
        return (await WriteRawCommitAsync(repo, full), full, signed);
    }

    /// <summary>Creates or moves a reference whose name may hold any bytes (update-ref reads it from stdin).</summary>
    public static Task UpdateRawRefAsync(TestRepo repo, byte[] name, string oid)
    {
        var input = new List<byte>();
        input.AddRange("update "u8.ToArray());
        input.AddRange(name);
        input.AddRange(Encoding.ASCII.GetBytes(" " + oid + "\n"));
        return repo.GitBytesAsync(["update-ref", "--stdin"], [.. input]);
    }

    /// <summary>The commit as git describes it, filled the way Gitaly fills <c>GitCommit</c>.</summary>
    public static async Task<GitCommit> ExpectedAsync(TestRepo repo, string oid)
    {
        var raw = await repo.GitBytesAsync(["cat-file", "commit", oid]);
        // git log re-encodes identities and messages of commits with an encoding header to UTF-8; asking for the
        // commit's own encoding gives the bytes as stored, which is what Gitaly returns.
        var encoding = Text(await repo.GitBytesAsync(["log", "-1", "--no-walk", "--format=%e", oid])).TrimEnd('\n');
        var fields = Split(await repo.GitBytesAsync(["log", "-1", "--no-walk", "--encoding=" + (encoding.Length > 0 ? encoding : "UTF-8"),
            "--format=%H%x00%T%x00%P%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%ad%x00%cd%x00%e", "--date=format:%z", oid]));
        var expected = new GitCommit
        {
            Id = Text(fields[0]),
            TreeId = Text(fields[1]),
            Author = new CommitAuthor
            {
                Name = ByteString.CopyFrom(fields[3]),
                Email = ByteString.CopyFrom(fields[4]),
                Date = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = long.Parse(Text(fields[5]), CultureInfo.InvariantCulture) },
                Timezone = ByteString.CopyFrom(fields[9]),
            },
            Committer = new CommitAuthor
            {
                Name = ByteString.CopyFrom(fields[6]),
                Email = ByteString.CopyFrom(fields[7]),
                Date = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = long.Parse(Text(fields[8]), CultureInfo.InvariantCulture) },
                Timezone = ByteString.CopyFrom(fields[10]),
            },
            Encoding = Text(fields[11]),
            SignatureType = SignatureTypeOf(raw),
        };
        if (fields[2].Length > 0)
        {
            expected.ParentIds.AddRange(Text(fields[2]).Split(' '));
        }

        var separator = raw.AsSpan().IndexOf("\n\n"u8);
        var body = separator < 0 ? [] : raw[(separator + 2)..];
        if (body.Length > 0)
        {
            var newline = Array.IndexOf(body, (byte)'\n');
            var subject = newline < 0 ? body : body[..newline];
            expected.Subject = ByteString.CopyFrom(subject.AsSpan().TrimEnd("\r\n"u8));
            expected.BodySize = body.Length;
            expected.Body = ByteString.CopyFrom(body, 0, Math.Min(body.Length, 10 * 1024));
        }

        return expected;
    }

    /// <summary>The expected commits for a list of ids, in order.</summary>
    public static async Task<List<GitCommit>> ExpectedAsync(TestRepo repo, IEnumerable<string> oids)
    {
        var result = new List<GitCommit>();
        foreach (var oid in oids)
        {
            result.Add(await ExpectedAsync(repo, oid));
        }

        return result;
    }

    /// <summary>Output lines of git as raw bytes (for names that are not UTF-8).</summary>
    public static async Task<List<byte[]>> GitRawLinesAsync(TestRepo repo, IEnumerable<string> args, byte[]? stdin = null)
    {
        var output = await repo.GitBytesAsync(args, stdin);
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < output.Length; i++)
        {
            if (output[i] == '\n')
            {
                lines.Add(output[start..i]);
                start = i + 1;
            }
        }

        if (start < output.Length)
        {
            lines.Add(output[start..]);
        }

        return lines;
    }

    private static SignatureType SignatureTypeOf(byte[] raw)
    {
        var text = Encoding.Latin1.GetString(raw);
        var headerEnd = text.IndexOf("\n\n", StringComparison.Ordinal);
        var header = headerEnd < 0 ? text : text[..headerEnd];
        foreach (var line in header.Split('\n'))
        {
            if (line.StartsWith("gpgsig ", StringComparison.Ordinal) || line.StartsWith("gpgsig-sha256 ", StringComparison.Ordinal))
            {
                var first = line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..];
                return first switch
                {
                    "-----BEGIN PGP SIGNATURE-----" or "-----BEGIN PGP MESSAGE-----" => SignatureType.Pgp,
                    "-----BEGIN SIGNED MESSAGE-----" => SignatureType.X509,
                    "-----BEGIN SSH SIGNATURE-----" => SignatureType.Ssh,
                    _ => SignatureType.None,
                };
            }
        }

        return SignatureType.None;
    }

    private static List<byte[]> Split(byte[] output)
    {
        if (output.Length > 0 && output[^1] == '\n')
        {
            output = output[..^1];
        }

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

        return fields;
    }

    private static string Text(byte[] value) => Encoding.UTF8.GetString(value);
}
