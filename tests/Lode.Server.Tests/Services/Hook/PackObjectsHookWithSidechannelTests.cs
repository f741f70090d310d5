using System.Net.Sockets;
using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Hook;

/// <summary>
/// PackObjectsHookWithSidechannel driven as the hooks executable drives it: a Unix socket named <c>sidechannel</c>
/// in a folder of the caller, named in the metadata; git's stdin sent there, the pack read back as side-band.
/// </summary>
public sealed class PackObjectsHookWithSidechannelTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task PackObjectsHook_RevsOnStdin_PackOfExactlyTheirObjects(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var first = await repo.CommitAsync();
        var second = await repo.CommitAsync();
        using var folder = new TempDirectory("lode-pohook-");

        var (pack, progress) = await CallAsync(repo, folder, ["pack-objects", "--revs", "--stdout", "--delta-base-offset"],
            Encoding.ASCII.GetBytes($"{second}\n^{first}\n\n"));

        // git itself reads the pack: it must hold exactly the objects `rev-list --objects first..second` names.
        var packFile = folder.Combine("received.pack");
        await File.WriteAllBytesAsync(packFile, pack);
        await GitCli.RunBytesAsync(null, ["index-pack", "--object-format=" + format, packFile], workDir: folder.Path);
        var index = await GitCli.RunBytesAsync(null, ["show-index", "--object-format=" + format],
            await File.ReadAllBytesAsync(folder.Combine("received.idx")), workDir: folder.Path);
        var inPack = Encoding.ASCII.GetString(index).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1]).Order();
        var expected = (await repo.GitLinesAsync("rev-list", "--objects", $"{first}..{second}")).Select(l => l.Split(' ')[0]).Order();
        Assert.Equal(expected, inPack);
        Assert.Equal("", progress);
    }

    [Theory]
    [InlineData(new string[0], "missing pack-objects")]
    [InlineData(new[] { "rev-list", "--stdout" }, "missing pack-objects")]
    [InlineData(new[] { "pack-objects", "--revs" }, "missing --stdout")]
    [InlineData(new[] { "pack-objects", "--stdout", "/etc/passwd" }, "non-flag argument")]
    public async Task PackObjectsHook_BadArguments_InvalidArgument(string[] args, string problem)
    {
        var repo = await server.CreateRepoAsync();
        using var folder = new TempDirectory("lode-pohook-");

        var error = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, folder, args, []));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal($"invalid pack-objects command: [{string.Join(' ', args)}]: {problem}", error.Status.Detail);
    }

    [Fact]
    public async Task PackObjectsHook_SocketNotNamedSidechannel_InvalidArgumentAndNotDialled()
    {
        var repo = await server.CreateRepoAsync();
        using var folder = new TempDirectory("lode-pohook-");
        var path = folder.Combine("other.sock");
        using var listener = Listen(path);

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Hook.PackObjectsHookWithSidechannelAsync(Request(repo, ["pack-objects", "--stdout"]),
            new Metadata { { "gitaly-sidechannel-socket", path } }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("invalid sidechannel socket address", error.Status.Detail, StringComparison.Ordinal);
        Assert.False(listener.Poll(0, SelectMode.SelectRead), "the server connected anyway");
    }

    [Fact]
    public async Task PackObjectsHook_NoSocketInMetadata_Internal()
    {
        var repo = await server.CreateRepoAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Hook.PackObjectsHookWithSidechannelAsync(Request(repo, ["pack-objects", "--stdout"])).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("sidechannel", error.Status.Detail, StringComparison.Ordinal);
    }

    private static PackObjectsHookWithSidechannelRequest Request(TestRepo repo, string[] args)
    {
        var request = new PackObjectsHookWithSidechannelRequest { Repository = ServerFixture.Proto(repo) };
        request.Args.Add(args);
        return request;
    }

    private static Socket Listen(string path)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        return listener;
    }

    /// <summary>The hook's side: listen, call, send stdin and half-close, collect band 1 and band 2 until the server closes.</summary>
    private async Task<(byte[] Pack, string Progress)> CallAsync(TestRepo repo, TempDirectory folder, string[] args, byte[] stdin)
    {
        var path = folder.Combine("sidechannel");
        using var listener = Listen(path);
        using var call = server.Hook.PackObjectsHookWithSidechannelAsync(Request(repo, args), new Metadata { { "gitaly-sidechannel-socket", path } });

        var accept = listener.AcceptAsync();
        var first = await Task.WhenAny(accept, call.ResponseAsync);
        if (first == call.ResponseAsync)
        {
            await call.ResponseAsync;
            throw new InvalidOperationException("answered without dialling");
        }

        using var connection = await accept;
        await using var channel = new NetworkStream(connection);
        await channel.WriteAsync(stdin);
        connection.Shutdown(SocketShutdown.Send);

        using var pack = new MemoryStream();
        var progress = new StringBuilder();
        var header = new byte[4];
        while (await channel.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false) == 4)
        {
            var length = Convert.ToInt32(Encoding.ASCII.GetString(header), 16);
            var data = new byte[length - 4];
            await channel.ReadExactlyAsync(data);
            if (data[0] == 1)
            {
                pack.Write(data, 1, data.Length - 1);
            }
            else
            {
                Assert.Equal(2, data[0]);
                progress.Append(Encoding.UTF8.GetString(data, 1, data.Length - 1));
            }
        }

        await call.ResponseAsync;
        return (pack.ToArray(), progress.ToString());
    }
}
