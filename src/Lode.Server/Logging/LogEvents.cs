using Microsoft.Extensions.Logging;

namespace Lode.Server.Logging;

/// <summary>Stable event ids of log lines that are not <c>[LoggerMessage]</c> methods.</summary>
public static class LogEvents
{
    /// <summary>The one line per RPC.</summary>
    public static readonly EventId AccessLog = new(1, "access");
}
