using System.Globalization;
using System.Text;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

/// <summary>Builds refs and tag objects for the RefService tests with the real git CLI, byte-exact where needed.</summary>
internal static class RefRepo
{
    public const string Tagger = "Tag Ger <tagger@example.com> 1700000500 +0200";

    /// <summary>Creates many refs in one <c>update-ref --stdin</c> run (names may be any bytes).</summary>
    public static async Task CreateRefsAsync(this TestRepo repo, IEnumerable<(byte[] Name, string Oid)> refs)
    {
        var input = new List<byte>();
        foreach (var (name, oid) in refs)
        {
            input.AddRange("update "u8.ToArray());
            input.AddRange(name);
            input.Add(0);
            input.AddRange(Encoding.ASCII.GetBytes(oid));
            input.Add(0);
            input.Add(0);
        }

        await repo.GitBytesAsync(["update-ref", "-z", "--stdin"], [.. input]);
    }

    public static Task CreateRefsAsync(this TestRepo repo, IEnumerable<(string Name, string Oid)> refs) =>
        repo.CreateRefsAsync(refs.Select(r => (Encoding.UTF8.GetBytes(r.Name), r.Oid)));

    public static Task CreateRefAsync(this TestRepo repo, string name, string oid) => repo.CreateRefsAsync([(name, oid)]);

    public static Task CreateRefAsync(this TestRepo repo, byte[] name, string oid) => repo.CreateRefsAsync([(name, oid)]);

    /// <summary>Writes a loose ref file directly, for what update-ref refuses (a branch pointing at a blob or a tag).</summary>
    public static Task WriteLooseRefAsync(this TestRepo repo, string name, string oid)
    {
        var path = Path.Combine(repo.Path, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return File.WriteAllTextAsync(path, oid + "\n");
    }

    /// <summary>
    /// Writes refs straight into packed-refs (sorted, as git keeps it), for names too long to be loose ref files.
    /// Replaces any packed-refs file there was.
    /// </summary>
    public static async Task WritePackedRefsAsync(this TestRepo repo, IEnumerable<(string Name, string Oid)> refs)
    {
        var lines = refs.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => $"{r.Oid} {r.Name}\n");
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "packed-refs"), "# pack-refs with: sorted \n" + string.Concat(lines));
    }

    /// <summary>Writes a tag object as given (no checks) and returns its id.</summary>
    public static async Task<string> WriteRawTagAsync(this TestRepo repo, byte[] raw) =>
        Encoding.ASCII.GetString(await repo.GitBytesAsync(["hash-object", "-t", "tag", "-w", "--literally", "--stdin"], raw)).Trim();

    /// <summary>
    /// Writes an annotated tag of <paramref name="target"/> named <paramref name="name"/> with exactly
    /// <paramref name="message"/> after the blank line, and points refs/tags/&lt;name&gt; at it unless
    /// <paramref name="createRef"/> is false.
    /// </summary>
    public static async Task<string> AnnotatedTagAsync(this TestRepo repo, string name, string target, string message,
        string tagger = Tagger, bool createRef = true)
    {
        var type = (await repo.GitAsync("cat-file", "-t", target)).Trim();
        var raw = Encoding.UTF8.GetBytes($"object {target}\ntype {type}\ntag {name}\ntagger {tagger}\n\n{message}");
        var oid = await repo.WriteRawTagAsync(raw);
        if (createRef)
        {
            await repo.CreateRefAsync("refs/tags/" + name, oid);
        }

        return oid;
    }

    /// <summary>The for-each-ref records of <paramref name="patterns"/> as byte arrays, with the given format.</summary>
    public static async Task<List<byte[]>> ForEachRefAsync(this TestRepo repo, string format, params string[] patterns)
    {
        var output = await repo.GitBytesAsync(["for-each-ref", "--format=" + format, .. patterns]);
        var records = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < output.Length; i++)
        {
            if (output[i] == '\n')
            {
                records.Add(output[start..i]);
                start = i + 1;
            }
        }

        return records;
    }

    /// <summary>Reads a server stream to the end, keeping each message.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            var messages = new List<T>();
            await foreach (var message in call.ResponseStream.ReadAllAsync())
            {
                messages.Add(message);
            }

            return messages;
        }
    }

    public static string Unix(long seconds) => seconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>The commit a branch of <paramref name="repo"/> would point at, with a given committer date.</summary>
    public static Task<string> CommitAtAsync(this TestRepo repo, string branch, long unixSeconds, string message = "commit") =>
        repo.CommitAsync(branch, message, date: DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

    /// <summary>Bytes that are not valid UTF-8 (Latin-1 "é" and a lone 0xff).</summary>
    public static readonly byte[] Latin1Name = [(byte)'c', (byte)'a', (byte)'f', 0xe9, 0xff];

    public static byte[] Concat(string prefix, byte[] rest) => [.. Encoding.UTF8.GetBytes(prefix), .. rest];
}
