using System.Globalization;
using System.Net;

namespace Lode.Core.Configuration;

/// <summary>
/// A TCP listen address in Go's <c>host:port</c> form as Gitaly writes it (<c>localhost:8075</c>,
/// <c>0.0.0.0:8075</c>, <c>[::1]:8075</c>, or <c>:8075</c> for every interface).
/// </summary>
public sealed record ListenAddress(string Host, int Port)
{
    /// <summary>True when only this machine can connect; a server without a token may only listen there.</summary>
    public bool IsLoopback =>
        Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The addresses to bind: every interface for an empty host.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints()
    {
        if (Host.Length == 0)
        {
            return [new IPEndPoint(IPAddress.IPv6Any, Port)];
        }

        if (Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [new IPEndPoint(IPAddress.Loopback, Port)];
        }

        if (IPAddress.TryParse(Host, out var ip))
        {
            return [new IPEndPoint(ip, Port)];
        }

        var resolved = Dns.GetHostAddresses(Host);
        var result = new List<IPEndPoint>(resolved.Length);
        foreach (var address in resolved)
        {
            result.Add(new IPEndPoint(address, Port));
        }

        return result;
    }

    public static bool TryParse(string text, out ListenAddress? address)
    {
        address = null;
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        address = new ListenAddress(host, port);
        return true;
    }

    public override string ToString() => (Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host) + ":" + Port;
}
