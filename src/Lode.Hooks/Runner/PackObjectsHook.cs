using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using Gitaly;
using Lode.Hooks.Calls;
using Lode.Server.Hooks;

namespace Lode.Hooks;

/// <summary>
/// git upload-pack's pack-objects hook (<c>uploadpack.packObjectsHook</c>, spec §7.5): git runs
/// <c>&lt;hook&gt; git [--shallow-file ""] pack-objects --stdout …</c> and reads the pack from its stdout. The server runs
/// pack-objects: this process listens on a socket named <c>sidechannel</c> in a folder of its own, names it in the
/// call's metadata, sends git's stdin there once the server has dialled it, and unpacks the server's side-band
/// answer onto stdout (band 1) and stderr (band 2).
/// </summary>
internal static class PackObjectsHook
{
    private static readonly TimeSpan AcceptTimeout = TimeSpan.FromSeconds(10);

    public static int Run(string internalSocket, List<KeyValuePair<string, string>> metadata, Repository repository,
        HooksPayload payload, IReadOnlyList<string> args, Stream stdin, Stream stdout, Stream stderr)
    {
        var folder = Directory.CreateTempSubdirectory("lode-pack-objects-");
        try
        {
            var socketPath = Path.Combine(folder.FullName, PackObjectsSidechannelProtocol.SocketName);
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);

            var request = new PackObjectsHookWithSidechannelRequest
            {
                Repository = repository,
                GlId = payload.UserDetails?.UserId ?? "",
                GlUsername = payload.UserDetails?.Username ?? "",
                GitProtocol = Environment.GetEnvironmentVariable("GIT_PROTOCOL") ?? "",
                RemoteIp = payload.UserDetails?.RemoteIp ?? "",
            };
            request.Args.Add(args);
            metadata.Add(new(PackObjectsSidechannelProtocol.MetadataKey, socketPath));

            using var call = UnixGrpcCall.Start(internalSocket, HookMethods.PackObjectsHookWithSidechannel, metadata, [request], complete: true);

            using (var connection = Accept(listener, call))
            using (var channel = new NetworkStream(connection, ownsSocket: false))
            {
                var sender = new Thread(() => Send(stdin, channel, connection)) { IsBackground = true, Name = "stdin" };
                sender.Start();
                Receive(channel, stdout, stderr);
                sender.Join();
            }

            // The one (empty) response, then the end of the call with its status.
            call.Read(PackObjectsHookWithSidechannelResponse.Parser);
            call.Read(PackObjectsHookWithSidechannelResponse.Parser);
            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The server's connection to the side channel: it dials as soon as it has checked the request, and a refusal ends
    /// the call first, which ends the wait with the call's error.
    /// </summary>
    private static Socket Accept(Socket listener, UnixGrpcCall call)
    {
        var deadline = Environment.TickCount64 + (long)AcceptTimeout.TotalMilliseconds;
        while (!listener.Poll(TimeSpan.FromMilliseconds(20), SelectMode.SelectRead))
        {
            if (call.HasEnded)
            {
                call.Read(PackObjectsHookWithSidechannelResponse.Parser);
                call.Read(PackObjectsHookWithSidechannelResponse.Parser);
                throw new InvalidOperationException("the server answered without opening the side channel");
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException("the server did not open the side channel");
            }
        }

        return listener.Accept();
    }

    /// <summary>git's stdin to the server, then the end of our sending side: that is how the server knows the input ended.</summary>
    private static void Send(Stream stdin, Stream channel, Socket connection)
    {
        try
        {
            stdin.CopyTo(channel);
            connection.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The server stopped reading: its answer (or the call's status) says why.
        }
    }

    /// <summary>Side-band packets until the server closes: band 1 to stdout, band 2 to stderr.</summary>
    private static void Receive(Stream channel, Stream stdout, Stream stderr)
    {
        var header = new byte[4];
        var data = ArrayPool<byte>.Shared.Rent(65520);
        try
        {
            while (ReadExactlyOrEnd(channel, header))
            {
                if (!int.TryParse(header, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var length) || length is > 0 and < 5 || length > 65520)
                {
                    throw new InvalidDataException("invalid side-band packet from the server");
                }

                if (length == 0)
                {
                    continue;
                }

                channel.ReadExactly(data.AsSpan(0, length - 4));
                var payload = data.AsSpan(1, length - 5);
                switch (data[0])
                {
                    case 1:
                        stdout.Write(payload);
                        break;
                    case 2:
                        stderr.Write(payload);
                        stderr.Flush();
                        break;
                    default:
                        throw new InvalidDataException($"side-band packet on unknown band {data[0]}");
                }
            }

            stdout.Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }

    private static bool ReadExactlyOrEnd(Stream stream, byte[] buffer)
    {
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read == 0)
        {
            return false;
        }

        if (read < buffer.Length)
        {
            throw new EndOfStreamException("the side channel ended inside a packet");
        }

        return true;
    }
}
