namespace Lode.Git.Objects;

/// <summary>
/// Walks the header lines of a commit or tag object: <c>key SP value LF</c>, where a value continues on following
/// lines that start with a space (gpgsig, mergetag). Stops at the first empty line, after which the message starts.
/// Bounds-checked everywhere so malformed objects end the walk instead of throwing.
/// </summary>
internal ref struct ObjectHeaderReader
{
    private readonly ReadOnlySpan<byte> data;
    private int position;

    public ObjectHeaderReader(ReadOnlySpan<byte> data)
    {
        this.data = data;
        BodyStart = data.Length;
    }

    /// <summary>Offset of the message after the headers; the object's length when there is no blank line.</summary>
    public int BodyStart { get; private set; }

    /// <summary>Reads the next header. <paramref name="value"/> still holds the "LF SP" of continuation lines.</summary>
    public bool TryRead(out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value, out bool continued)
    {
        key = default;
        value = default;
        continued = false;
        if (position >= data.Length)
        {
            return false;
        }

        var lineEnd = LineEnd(position);
        if (lineEnd == position)
        {
            BodyStart = position + 1;
            position = data.Length;
            return false;
        }

        var line = data[position..lineEnd];
        var space = line.IndexOf((byte)' ');
        key = space < 0 ? line : line[..space];
        var valueStart = space < 0 ? lineEnd : position + space + 1;
        var valueEnd = lineEnd;
        var next = lineEnd + 1;
        while (next < data.Length && data[next] == ' ')
        {
            valueEnd = LineEnd(next);
            next = valueEnd + 1;
            continued = true;
        }

        value = data[valueStart..valueEnd];
        position = Math.Min(next, data.Length);
        return true;
    }

    /// <summary>Removes the space that starts each continuation line: "a LF SP b" becomes "a LF b".</summary>
    public static byte[] Unfold(ReadOnlySpan<byte> value)
    {
        var result = new byte[value.Length];
        var length = 0;
        for (var i = 0; i < value.Length; i++)
        {
            result[length++] = value[i];
            if (value[i] == '\n' && i + 1 < value.Length && value[i + 1] == ' ')
            {
                i++;
            }
        }

        return length == result.Length ? result : result[..length];
    }

    private readonly int LineEnd(int from)
    {
        var end = data[from..].IndexOf((byte)'\n');
        return end < 0 ? data.Length : from + end;
    }
}
