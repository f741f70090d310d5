using System.Formats.Tar;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Hooks.Calls;
using Lode.Server.Auth;
using Lode.TestKit;
using Lode.TestKit.Fixtures;

namespace Lode.Host.Tests.Hooks;

/// <summary>
/// The hooks' own HTTP/2 gRPC client against a real Lode server on a unix socket, checked against what the server
/// stores and against what Grpc.Net.Client gets for the same call: messages larger than every window in both
/// directions, headers beyond one frame, error statuses, cancellation by closing.
/// </summary>
public sealed class UnixGrpcCallTests(UnixSocketServerFixture server) : IClassFixture<UnixSocketServerFixture>
{
    private string Socket => server.Endpoints.UnixSocket!;

    [Fact]
    public async Task UnaryCall_ReturnsWhatGrpcNetClientReturns()
    {
        await using var call = await UnixGrpcCall.StartAsync(Socket, "/gitaly.ServerService/ServerInfo", Authorized());
        await call.WriteAsync(new ServerInfoRequest());
        await call.CompleteAsync();

        var response = await call.ReadAsync(ServerInfoResponse.Parser);
        var expected = await server.Server.ServerInfoAsync(new ServerInfoRequest());

        Assert.NotNull(response);
        Assert.Equal(expected.ServerVersion, response.ServerVersion);
        Assert.Equal(expected.GitVersion, response.GitVersion);
        Assert.Null(await call.ReadAsync(ServerInfoResponse.Parser));
    }

    [Fact]
    public async Task ErrorStatus_CodeAndPercentEncodedMessageAsGrpcNetClientSeesThem()
    {
        var repo = await server.CreateRepoAsync();
        var request = new PackObjectsHookWithSidechannelRequest { Repository = ServerFixture.Proto(repo), Args = { "stöřage ☃%" } };
        var expected = await Assert.ThrowsAsync<RpcException>(async () => await server.Hook.PackObjectsHookWithSidechannelAsync(request));

        await using var call = await UnixGrpcCall.StartAsync(Socket, HookMethods.PackObjectsHookWithSidechannel, Authorized());
        await call.WriteAsync(request);
        await call.CompleteAsync();
        var error = await Assert.ThrowsAsync<GrpcCallException>(() => call.ReadAsync(PackObjectsHookWithSidechannelResponse.Parser));

        Assert.Equal(expected.StatusCode, error.Code);
        Assert.Equal(expected.Status.Detail, error.Detail);
        Assert.Contains("stöřage ☃%", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingToken_Unauthenticated()
    {
        await using var call = await UnixGrpcCall.StartAsync(Socket, "/gitaly.ServerService/ServerInfo", []);
        await call.WriteAsync(new ServerInfoRequest());
        await call.CompleteAsync();

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => call.ReadAsync(ServerInfoResponse.Parser));

        Assert.Equal(StatusCode.Unauthenticated, error.Code);
    }

    [Fact]
    public async Task LargeResponse_BeyondTheReceiveWindow_ArrivesWhole()
    {
        var repo = await server.CreateRepoAsync();
        var content = RandomNumberGenerator.GetBytes(5 << 20);
        var oid = await repo.WriteBlobAsync(content);

        await using var call = await UnixGrpcCall.StartAsync(Socket, "/gitaly.BlobService/GetBlob", Authorized());
        await call.WriteAsync(new GetBlobRequest { Repository = ServerFixture.Proto(repo), Oid = oid, Limit = -1 });
        await call.CompleteAsync();
        using var received = new MemoryStream();
        var messages = 0;
        while (await call.ReadAsync(GetBlobResponse.Parser) is { } response)
        {
            response.Data.WriteTo(received);
            messages++;
        }

        Assert.True(messages > 1);
        Assert.Equal(content, received.ToArray());
    }

    [Fact]
    public async Task LargeRequestStream_BeyondTheSendWindows_IsStoredWhole()
    {
        var repo = await server.CreateRepoAsync();
        var hook = Encoding.ASCII.GetBytes("#!/bin/sh\n# " + Convert.ToHexString(RandomNumberGenerator.GetBytes(1_500_000)) + "\n");
        var archive = Tar("custom_hooks/pre-receive", hook);

        await using var call = await UnixGrpcCall.StartAsync(Socket, "/gitaly.RepositoryService/SetCustomHooks", Authorized());
        await call.WriteAsync(new SetCustomHooksRequest { Repository = ServerFixture.Proto(repo) });
        for (var offset = 0; offset < archive.Length; offset += 100_000)
        {
            await call.WriteAsync(new SetCustomHooksRequest { Data = ByteString.CopyFrom(archive.AsSpan(offset, Math.Min(100_000, archive.Length - offset))) });
        }

        await call.CompleteAsync();
        Assert.NotNull(await call.ReadAsync(SetCustomHooksResponse.Parser));
        Assert.Null(await call.ReadAsync(SetCustomHooksResponse.Parser));
        Assert.Equal(hook, await File.ReadAllBytesAsync(Path.Combine(repo.Path, "custom_hooks", "pre-receive")));
    }

    [Fact]
    public async Task HeadersLargerThanOneFrame_SentWithContinuation()
    {
        // 24 KiB of metadata: more than one 16 KiB HEADERS frame, within what Kestrel accepts per field and in all.
        var metadata = Authorized().Concat(Enumerable.Range(0, 3).Select(i => KeyValuePair.Create($"x-padding-{i}", new string((char)('a' + i), 8_000))));

        await using var call = await UnixGrpcCall.StartAsync(Socket, "/gitaly.ServerService/ServerInfo", metadata);
        await call.WriteAsync(new ServerInfoRequest());
        await call.CompleteAsync();

        Assert.NotNull(await call.ReadAsync(ServerInfoResponse.Parser));
        Assert.Null(await call.ReadAsync(ServerInfoResponse.Parser));
    }

    [Fact]
    public async Task DisposeMidStream_ClosesWithoutWaitingForTheRest()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.WriteBlobAsync(RandomNumberGenerator.GetBytes(8 << 20));

        var call = await UnixGrpcCall.StartAsync(Socket, "/gitaly.BlobService/GetBlob", Authorized());
        await call.WriteAsync(new GetBlobRequest { Repository = ServerFixture.Proto(repo), Oid = oid, Limit = -1 });
        await call.CompleteAsync();
        Assert.NotNull(await call.ReadAsync(GetBlobResponse.Parser));

        await call.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task NobodyListening_FailsToConnect()
    {
        using var temp = new TempDirectory("lode-grpc-call-");

        await Assert.ThrowsAsync<SocketException>(() => UnixGrpcCall.StartAsync(temp.Combine("none.sock"), "/gitaly.ServerService/ServerInfo", []));
    }

    private static List<KeyValuePair<string, string>> Authorized() =>
        [KeyValuePair.Create("authorization", TokenValidator.CreateHeader(TokenServerFixture.Token, DateTimeOffset.UtcNow))];

    private static byte[] Tar(string name, byte[] content)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "custom_hooks/") { Mode = (UnixFileMode)0x1ED });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0x1ED, DataStream = new MemoryStream(content) });
        }

        return output.ToArray();
    }
}
