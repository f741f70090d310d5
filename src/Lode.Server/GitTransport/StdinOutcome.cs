namespace Lode.Server.GitTransport;

/// <summary>How feeding a child's stdin ended.</summary>
internal enum StdinOutcome
{
    /// <summary>The input ended; stdin was closed so git saw the end.</summary>
    Ended,

    /// <summary>git stopped reading (it exited), or the pump was told to stop.</summary>
    Stopped,

    /// <summary>Reading the input failed (client protocol error, broken connection).</summary>
    Failed,
}
