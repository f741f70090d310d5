namespace Lode.Git.PktLine;

/// <summary>
/// One packet read by <see cref="PktLineReader"/>. <see cref="Data"/> points into the reader's buffer and is valid
/// only until the next read; copy it to keep it.
/// </summary>
public readonly record struct PktLinePacket(PktLineKind Kind, ReadOnlyMemory<byte> Data)
{
    public bool IsFlush => Kind == PktLineKind.Flush;

    /// <summary>The data as UTF-8 text, for logs and tests.</summary>
    public override string ToString() =>
        Kind == PktLineKind.Data ? System.Text.Encoding.UTF8.GetString(Data.Span) : Kind.ToString();
}
