using System.Net;
using System.Net.Sockets;

namespace Lode.Yamux.Tests;

/// <summary>Connected byte-stream pairs: TCP loopback, a unix socket, or an in-memory pipe.</summary>
internal static class TransportPair
{
    public static async Task<(Stream A, Stream B)> TcpAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accepting = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await accepting;
        server.NoDelay = true;
        return (new NetworkStream(client, ownsSocket: true), new NetworkStream(server, ownsSocket: true));
    }

    public static async Task<(Stream A, Stream B)> UnixAsync()
    {
        var dir = Directory.CreateTempSubdirectory("lode-yamux-");
        try
        {
            var endPoint = new UnixDomainSocketEndPoint(Path.Combine(dir.FullName, "s"));
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(endPoint);
            listener.Listen(1);
            var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            var accepting = listener.AcceptAsync();
            await client.ConnectAsync(endPoint);
            var server = await accepting;
            return (new NetworkStream(client, ownsSocket: true), new NetworkStream(server, ownsSocket: true));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    public static (Stream A, Stream B) Memory(int? chunkSeed = null, int maxChunk = 64) =>
        PipeDuplexStream.CreatePair(chunkSeed, maxChunk);

    public static async Task<(Stream A, Stream B)> CreateAsync(TransportKind kind, int seed = 0) => kind switch
    {
        TransportKind.Tcp => await TcpAsync(),
        TransportKind.Unix => await UnixAsync(),
        TransportKind.Memory => Memory(),
        TransportKind.ChunkedMemory => Memory(seed, 97),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
