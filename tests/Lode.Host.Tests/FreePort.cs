using System.Net;
using System.Net.Sockets;

namespace Lode.Host.Tests;

/// <summary>A loopback port nobody listens on right now: the OS picks one for a listener that is closed again.</summary>
internal static class FreePort
{
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
