using Gitaly;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Lode.Git.Objects;

namespace Lode.Server.Conversions;

/// <summary>
/// Builds the <c>GitCommit</c> message from a parsed commit exactly as Gitaly fills it: the subject is the first
/// line of the message, the body is cut at 10 KiB while <c>body_size</c> keeps the full length, and dates git
/// cannot represent become Go's maximum time.
/// </summary>
public static class CommitConverter
{
    /// <summary>Gitaly's limit on commit and tag messages returned inline.</summary>
    public const int MaxMessageSize = 10 * 1024;

    /// <summary>Largest date Gitaly accepts before falling back (2^53 seconds).</summary>
    private const long MaxUnixDate = 1L << 53;

    /// <summary>Go's <c>time.Unix(1&lt;&lt;63-62135596801, …).Unix()</c>: what Gitaly reports for an unparseable date.</summary>
    public const long FallbackSeconds = 9223371974719179007;

    public static GitCommit ToProto(string oid, ParsedCommit commit)
    {
        var proto = new GitCommit
        {
            Id = oid,
            TreeId = commit.TreeId,
            Author = ToAuthor(commit.Author),
            Committer = ToAuthor(commit.Committer),
            SignatureType = ToProto(commit.SignatureType),
        };
        proto.ParentIds.AddRange(commit.ParentIds);

        if (commit.Encoding.Length > 0)
        {
            proto.Encoding = System.Text.Encoding.UTF8.GetString(commit.Encoding);
        }

        var body = commit.Body;
        if (body.Length > 0)
        {
            proto.Subject = ByteString.CopyFrom(Subject(body));
            proto.BodySize = body.Length;
            proto.Body = ByteString.CopyFrom(body, 0, Math.Min(body.Length, MaxMessageSize));
        }

        return proto;
    }

    /// <summary>The first line of a message without its line ending.</summary>
    public static ReadOnlySpan<byte> Subject(ReadOnlySpan<byte> message)
    {
        var newline = message.IndexOf((byte)'\n');
        var line = newline < 0 ? message : message[..newline];
        return line.TrimEnd("\r\n"u8);
    }

    public static CommitAuthor? ToAuthor(Signature? signature)
    {
        if (signature is null)
        {
            return null;
        }

        var author = new CommitAuthor
        {
            Name = ByteString.CopyFrom(signature.Name),
            Email = ByteString.CopyFrom(signature.Email),
            Timezone = ByteString.CopyFrom(signature.Timezone),
        };

        if (signature.Seconds is { } seconds)
        {
            author.Date = new Timestamp { Seconds = seconds is < 0 or > MaxUnixDate ? FallbackSeconds : seconds };
        }

        return author;
    }

    public static Gitaly.SignatureType ToProto(Lode.Git.Objects.SignatureType type) => type switch
    {
        Lode.Git.Objects.SignatureType.Pgp => Gitaly.SignatureType.Pgp,
        Lode.Git.Objects.SignatureType.X509 => Gitaly.SignatureType.X509,
        Lode.Git.Objects.SignatureType.Ssh => Gitaly.SignatureType.Ssh,
        _ => Gitaly.SignatureType.None,
    };
}
