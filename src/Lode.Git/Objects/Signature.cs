using System.Buffers.Text;

namespace Lode.Git.Objects;

/// <summary>
/// An author, committer or tagger line: <c>Name &lt;email&gt; 1700000000 +0100</c>. Name and email are raw bytes
/// (git stores them unvalidated, in the commit's encoding). Parsed leniently as Gitaly's <c>parseCommitAuthor</c>:
/// a missing part stays empty and a malformed line never throws.
/// </summary>
public sealed class Signature
{
    /// <summary>
    /// Gitaly's <c>git.FallbackTimeValue</c> in Unix seconds: used when the timestamp is present but unparsable, so
    /// that such commits sort last instead of failing the RPC.
    /// </summary>
    public const long FallbackSeconds = long.MaxValue - 62135596801;

    public Signature(byte[] name, byte[] email, long? seconds, byte[] timezone)
    {
        Name = name;
        Email = email;
        Seconds = seconds;
        Timezone = timezone;
    }

    public byte[] Name { get; }

    public byte[] Email { get; }

    /// <summary>Unix seconds; null when the line has no timestamp at all.</summary>
    public long? Seconds { get; }

    /// <summary>The timezone as written, e.g. <c>+0100</c>; empty when absent.</summary>
    public byte[] Timezone { get; }

    /// <summary>The timezone as an offset; zero when absent or malformed (as git does).</summary>
    public TimeSpan TimezoneOffset => ParseTimezone(Timezone);

    /// <summary>
    /// The date in its own timezone, clamped to what <see cref="DateTimeOffset"/> can hold; null without a timestamp.
    /// </summary>
    public DateTimeOffset? ToDateTimeOffset()
    {
        if (Seconds is not { } seconds)
        {
            return null;
        }

        var clamped = Math.Clamp(seconds, DateTimeOffset.MinValue.ToUnixTimeSeconds(), DateTimeOffset.MaxValue.ToUnixTimeSeconds());
        var utc = DateTimeOffset.FromUnixTimeSeconds(clamped);
        var offset = TimezoneOffset;
        // DateTimeOffset allows at most ±14 h, git any ±hhmm; near the ends of the range an offset would overflow.
        // Either way the instant is right and only the displayed zone falls back to UTC.
        var local = utc.UtcDateTime.Ticks + offset.Ticks;
        return offset.Duration() <= TimeSpan.FromHours(14) && local > 0 && local < DateTime.MaxValue.Ticks
            ? utc.ToOffset(offset)
            : utc;
    }

    /// <summary>Parses the value of an author/committer/tagger header (without the keyword).</summary>
    public static Signature Parse(ReadOnlySpan<byte> line)
    {
        var lt = line.IndexOf((byte)'<');
        if (lt < 0)
        {
            return new Signature(TrimOneSpace(line).ToArray(), [], null, []);
        }

        var name = TrimOneSpace(line[..lt]).ToArray();
        var afterLt = line[(lt + 1)..];
        var gt = afterLt.IndexOf((byte)'>');
        if (gt < 0)
        {
            return new Signature(name, [], null, []);
        }

        var email = afterLt[..gt].ToArray();
        var rest = afterLt[(gt + 1)..];
        var first = NextField(ref rest);
        if (first.IsEmpty)
        {
            return new Signature(name, email, null, []);
        }

        long seconds = Utf8Parser.TryParse(first, out long parsed, out var consumed) && consumed == first.Length
            ? parsed
            : FallbackSeconds;
        var zone = NextField(ref rest);
        // Gitaly keeps the timezone only when the date has exactly two fields: "secs zone junk" has none.
        return new Signature(name, email, seconds, NextField(ref rest).IsEmpty ? zone.ToArray() : []);
    }

    public override string ToString() =>
        $"{System.Text.Encoding.UTF8.GetString(Name)} <{System.Text.Encoding.UTF8.GetString(Email)}> {Seconds} {System.Text.Encoding.ASCII.GetString(Timezone)}";

    private static TimeSpan ParseTimezone(ReadOnlySpan<byte> zone)
    {
        if (zone.Length != 5 || (zone[0] != '+' && zone[0] != '-') ||
            !Utf8Parser.TryParse(zone[1..], out int hhmm, out var consumed) || consumed != 4)
        {
            return TimeSpan.Zero;
        }

        var minutes = (hhmm / 100 * 60) + (hhmm % 100);
        return TimeSpan.FromMinutes(zone[0] == '-' ? -minutes : minutes);
    }

    // Gitaly trims exactly one space between the name and '<'.
    private static ReadOnlySpan<byte> TrimOneSpace(ReadOnlySpan<byte> value) =>
        value.EndsWith((byte)' ') ? value[..^1] : value;

    private static ReadOnlySpan<byte> NextField(ref ReadOnlySpan<byte> rest)
    {
        var start = 0;
        while (start < rest.Length && IsSpace(rest[start]))
        {
            start++;
        }

        var end = start;
        while (end < rest.Length && !IsSpace(rest[end]))
        {
            end++;
        }

        var field = rest[start..end];
        rest = rest[end..];
        return field;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';
}
