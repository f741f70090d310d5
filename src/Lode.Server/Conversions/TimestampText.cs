using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;

namespace Lode.Server.Conversions;

/// <summary>
/// The text Gitaly passes to git's <c>--before</c>/<c>--after</c> for a request <c>Timestamp</c>. Each RPC
/// formats it its own way (Go's <c>time.Time.String()</c>, the protobuf text form, RFC 3339), and git parses
/// each with its approximate date parser; the same text gives the same cut-off, edge cases included.
/// </summary>
public static class TimestampText
{
    /// <summary>
    /// Go's <c>timestamp.AsTime().String()</c>: <c>2006-01-02 15:04:05.999999999 +0000 UTC</c>, with the fraction's
    /// trailing zeros (and a zero fraction) left out. Used by ListCommits (gitpipe's rev-list options).
    /// </summary>
    public static string GoTimeString(Timestamp timestamp)
    {
        var seconds = timestamp.Seconds + (timestamp.Nanos / 1_000_000_000);
        var nanos = timestamp.Nanos % 1_000_000_000;
        if (nanos < 0)
        {
            seconds--;
            nanos += 1_000_000_000;
        }

        // Go's Unix epoch arithmetic in days: DateTime cannot hold Go's full range, so clamp to what it can.
        var clamped = Math.Clamp(seconds, DateTimeOffset.MinValue.ToUnixTimeSeconds(), DateTimeOffset.MaxValue.ToUnixTimeSeconds());
        var utc = DateTimeOffset.FromUnixTimeSeconds(clamped).UtcDateTime;
        var text = new StringBuilder(40);
        text.Append(utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        if (nanos != 0)
        {
            text.Append('.').Append(nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        text.Append(" +0000 UTC");
        return text.ToString();
    }

    /// <summary>
    /// The protobuf text form Go prints for a <c>Timestamp</c> message (<c>seconds:1136214245 nanos:5</c>; zero
    /// fields left out). FindCommits passes exactly this to git, which reads the number as seconds since the epoch.
    /// </summary>
    public static string ProtoText(Timestamp timestamp)
    {
        var parts = new List<string>(2);
        if (timestamp.Seconds != 0)
        {
            parts.Add("seconds:" + timestamp.Seconds.ToString(CultureInfo.InvariantCulture));
        }

        if (timestamp.Nanos != 0)
        {
            parts.Add("nanos:" + timestamp.Nanos.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(' ', parts);
    }

    /// <summary>RFC 3339 of the timestamp's whole seconds (CountCommits), in UTC.</summary>
    public static string Rfc3339(Timestamp timestamp)
    {
        var clamped = Math.Clamp(timestamp.Seconds, DateTimeOffset.MinValue.ToUnixTimeSeconds(), DateTimeOffset.MaxValue.ToUnixTimeSeconds());
        return DateTimeOffset.FromUnixTimeSeconds(clamped).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}
