namespace Lode.Yamux.Tests;

internal static class TestOptions
{
    /// <summary>Library defaults without keepalive, whose pings would only add noise to the tests.</summary>
    public static YamuxOptions Default { get; } = YamuxOptions.Default with { EnableKeepAlive = false };
}
