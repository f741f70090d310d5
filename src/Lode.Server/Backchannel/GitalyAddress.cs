using System.Globalization;

namespace Lode.Server.Backchannel;

/// <summary>
/// A Gitaly server address as clients write it (gitaly-ssh's <c>GITALY_ADDRESS</c>, the <c>gitaly-servers</c>
/// metadata): <c>tcp://host:port</c>, <c>tls://host:port</c>, <c>unix:/path</c> or <c>unix:///path</c>.
/// </summary>
public sealed record GitalyAddress(string? Host, int Port, string? SocketPath, bool Tls)
{
    public static GitalyAddress Parse(string value)
    {
        if (value.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = value["unix:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                path = path[2..];
            }

            return path.Length == 0
                ? throw new FormatException($"address \"{value}\": empty socket path")
                : new GitalyAddress(null, 0, path, false);
        }

        var tls = value.StartsWith("tls://", StringComparison.Ordinal);
        if (!tls && !value.StartsWith("tcp://", StringComparison.Ordinal))
        {
            throw new FormatException($"address \"{value}\": want tcp://HOST:PORT, tls://HOST:PORT or unix:/PATH");
        }

        var hostPort = value["tcp://".Length..].TrimEnd('/');
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"address \"{value}\": want HOST:PORT");
        }

        var host = hostPort[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return new GitalyAddress(host, port, null, tls);
    }

    /// <summary>The HTTP/2 authority gRPC clients use: host:port, or localhost for a socket.</summary>
    public string Authority => SocketPath is null ? (Host!.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}") : "localhost";
}
