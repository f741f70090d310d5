namespace Lode.Git.PktLine;

/// <summary>What a pkt-line carries: data, or one of the special zero-length packets.</summary>
public enum PktLineKind
{
    Data = 0,

    /// <summary><c>0000</c>: end of a message section.</summary>
    Flush,

    /// <summary><c>0001</c>: separates sections within a protocol v2 message.</summary>
    Delim,

    /// <summary><c>0002</c>: end of a protocol v2 response on a stateless connection.</summary>
    ResponseEnd,
}
