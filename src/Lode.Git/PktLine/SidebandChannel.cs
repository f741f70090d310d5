namespace Lode.Git.PktLine;

/// <summary>The bands of git's side-band-64k multiplexing.</summary>
public enum SidebandChannel : byte
{
    /// <summary>Band 1: the payload (pack data).</summary>
    Data = 1,

    /// <summary>Band 2: progress messages shown to the user.</summary>
    Progress = 2,

    /// <summary>Band 3: a fatal error message; the stream ends after it.</summary>
    Error = 3,
}
