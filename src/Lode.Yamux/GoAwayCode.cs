namespace Lode.Yamux;

/// <summary>The <c>Length</c> field of a GoAway frame.</summary>
internal enum GoAwayCode : uint
{
    /// <summary>No new streams; existing ones may finish.</summary>
    Normal = 0,

    /// <summary>The sender saw a protocol violation and is closing the session.</summary>
    ProtocolError = 1,

    /// <summary>The sender failed internally and is closing the session.</summary>
    InternalError = 2,
}
