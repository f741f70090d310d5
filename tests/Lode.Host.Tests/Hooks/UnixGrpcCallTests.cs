using System.Formats.Tar;
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
        using var call = UnixGrpcCall.Start(Socket, "/gitaly.ServerService/ServerInfo", Authorized());
        call.Write(new ServerInfoRequest());
        call.Complete();

        var response = call.Read(ServerInfoResponse.Parser);
        var expected = await server.Server.ServerInfoAsync(new ServerInfoRequest());

        Assert.NotNull(response);
        Assert.Equal(expected.ServerVersion, response.ServerVersion);
        Assert.Equal(expected.GitVersion, response.GitVersion);
        Assert.Null(call.Read(ServerInfoResponse.Parser));
    }

    [Fact]
    public async Task ErrorStatus_CodeAndPercentEncodedMessageAsGrpcNetClientSeesThem()
    {
        var repo = await server.CreateRepoAsync();
        var request = new PackObjectsHookWithSidechannelRequest { Repository = ServerFixture.Proto(repo), Args = { "stöřage ☃%" } };
        var expected = await Assert.ThrowsAsync<RpcException>(async () => await server.Hook.PackObjectsHookWithSidechannelAsync(request));

        using var call = UnixGrpcCall.Start(Socket, HookMethods.PackObjectsHookWithSidechannel, Authorized());
        call.Write(request);
        call.Complete();
        var error = Assert.Throws<GrpcCallException>(() => call.Read(PackObjectsHookWithSidechannelResponse.Parser));

        Assert.Equal(expected.StatusCode, error.Code);
        Assert.Equal(expected.Status.Detail, error.Detail);
        Assert.Contains("stöřage ☃%", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingToken_Unauthenticated()
    {
        using var call = UnixGrpcCall.Start(Socket, "/gitaly.ServerService/ServerInfo", []);
        call.Write(new ServerInfoRequest());
        call.Complete();

        var error = Assert.Throws<GrpcCallException>(() => call.Read(ServerInfoResponse.Parser));

        Assert.Equal(StatusCode.Unauthenticated, error.Code);
    }

    [Fact]
    public async Task LargeResponse_BeyondTheReceiveWindow_ArrivesWhole()
    {
        var repo = await server.CreateRepoAsync();
        var content = RandomNumberGenerator.GetBytes(5 << 20);
        var oid = await repo.WriteBlobAsync(content);

        using var call = UnixGrpcCall.Start(Socket, "/gitaly.BlobService/GetBlob", Authorized());
        call.Write(new GetBlobRequest { Repository = ServerFixture.Proto(repo), Oid = oid, Limit = -1 });
        call.Complete();
        using var received = new MemoryStream();
        var messages = 0;
        while (call.Read(GetBlobResponse.Parser) is { } response)
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

        using var call = UnixGrpcCall.Start(Socket, "/gitaly.RepositoryService/SetCustomHooks", Authorized());
        call.Write(new SetCustomHooksRequest { Repository = ServerFixture.Proto(repo) });
        for (var offset = 0; offset < archive.Length; offset += 100_000)
        {
            call.Write(new SetCustomHooksRequest { Data = ByteString.CopyFrom(archive.AsSpan(offset, Math.Min(100_000, archive.Length - offset))) });
        }

        call.Complete();
        Assert.NotNull(call.Read(SetCustomHooksResponse.Parser));
        Assert.Null(call.Read(SetCustomHooksResponse.Parser));
        Assert.Equal(hook, await File.ReadAllBytesAsync(Path.Combine(repo.Path, "custom_hooks", "pre-receive")));
    }

    [Fact]
    public void RequestsPassedToStart_SmallOnesGoInTheOpeningWrite()
    {
        using var call = UnixGrpcCall.Start(Socket, "/gitaly.ServerService/ServerInfo", Authorized(), [new ServerInfoRequest()], complete: true);

        Assert.NotNull(call.Read(ServerInfoResponse.Parser));
        Assert.Null(call.Read(ServerInfoResponse.Parser));
    }

    [Fact]
    public async Task RequestsPassedToStart_BeyondTheInitialWindow_SentAsTheServerAllows()
    {
        var repo = await server.CreateRepoAsync();
        var hook = Encoding.ASCII.GetBytes("#!/bin/sh\n# " + Convert.ToHexString(RandomNumberGenerator.GetBytes(100_000)) + "\n");
        var archive = Tar("custom_hooks/pre-receive", hook);

        using (var call = UnixGrpcCall.Start(Socket, "/gitaly.RepositoryService/SetCustomHooks", Authorized(),
                   [new SetCustomHooksRequest { Repository = ServerFixture.Proto(repo) }, new SetCustomHooksRequest { Data = ByteString.CopyFrom(archive) }],
                   complete: true))
        {
            Assert.NotNull(call.Read(SetCustomHooksResponse.Parser));
            Assert.Null(call.Read(SetCustomHooksResponse.Parser));
        }

        Assert.Equal(hook, await File.ReadAllBytesAsync(Path.Combine(repo.Path, "custom_hooks", "pre-receive")));
    }

    [Fact]
    public void HeadersLargerThanOneFrame_SentWithContinuation()
    {
        // 24 KiB of metadata: more than one 16 KiB HEADERS frame, within what Kestrel accepts per field and in all.
        var metadata = Authorized().Concat(Enumerable.Range(0, 3).Select(i => KeyValuePair.Create($"x-padding-{i}", new string((char)('a' + i), 8_000))));

        using var call = UnixGrpcCall.Start(Socket, "/gitaly.ServerService/ServerInfo", metadata);
        call.Write(new ServerInfoRequest());
        call.Complete();

        Assert.NotNull(call.Read(ServerInfoResponse.Parser));
        Assert.Null(call.Read(ServerInfoResponse.Parser));
    }

    [Fact]
    public async Task DisposeMidStream_ClosesWithoutWaitingForTheRest()
    {
        var repo = await server.CreateRepoAsync();
        var oid = await repo.WriteBlobAsync(RandomNumberGenerator.GetBytes(8 << 20));

        var call = UnixGrpcCall.Start(Socket, "/gitaly.BlobService/GetBlob", Authorized());
        call.Write(new GetBlobRequest { Repository = ServerFixture.Proto(repo), Oid = oid, Limit = -1 });
        call.Complete();
        Assert.NotNull(call.Read(GetBlobResponse.Parser));

        await Task.Run(call.Dispose).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void NobodyListening_FailsToConnect()
    {
        using var temp = new TempDirectory("lode-grpc-call-");

        Assert.Throws<IOException>(() => UnixGrpcCall.Start(temp.Combine("none.sock"), "/gitaly.ServerService/ServerInfo", []));
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
