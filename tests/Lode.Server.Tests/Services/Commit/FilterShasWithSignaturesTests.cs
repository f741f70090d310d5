using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class FilterShasWithSignaturesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FilterShasWithSignatures_SeveralMessages_OneAnswerEachWithSignedOnly(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var unsigned = await repo.CommitAsync();
        var (pgp, _, _) = await CommitTestData.WriteSignedCommitAsync(repo, "gpgsig", CommitTestData.PgpSignature, "pgp\n");
        var (ssh, _, _) = await CommitTestData.WriteSignedCommitAsync(repo, "gpgsig-sha256", CommitTestData.SshSignature, "ssh\n");
        var (garbage, _, _) = await CommitTestData.WriteSignedCommitAsync(repo, "gpgsig", "not a signature", "garbage\n");
        var missing = new string('1', repo.HexLength);

        using var call = server.Commit.FilterShasWithSignatures();
        await call.RequestStream.WriteAsync(Request(repo, [unsigned, pgp, missing]));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var first = call.ResponseStream.Current;
        await call.RequestStream.WriteAsync(new FilterShasWithSignaturesRequest { Shas = { ByteString.CopyFromUtf8(ssh), ByteString.CopyFromUtf8(garbage) } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var second = call.ResponseStream.Current;
        await call.RequestStream.WriteAsync(new FilterShasWithSignaturesRequest { Shas = { ByteString.CopyFromUtf8(unsigned) } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var third = call.ResponseStream.Current;
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal([pgp], first.Shas.Select(s => s.ToStringUtf8()));
        Assert.Equal([ssh], second.Shas.Select(s => s.ToStringUtf8()));
        Assert.Empty(third.Shas);
        Assert.Contains("\ngpgsig ", await repo.GitAsync("cat-file", "commit", garbage), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilterShasWithSignatures_NoRequest_EmptyStream()
    {
        using var call = server.Commit.FilterShasWithSignatures();
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task FilterShasWithSignatures_NoRepository_InvalidArgument()
    {
        using var call = server.Commit.FilterShasWithSignatures();
        await call.RequestStream.WriteAsync(new FilterShasWithSignaturesRequest { Shas = { ByteString.CopyFromUtf8("abc") } });
        await call.RequestStream.CompleteAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private static FilterShasWithSignaturesRequest Request(TestRepo repo, IEnumerable<string> shas) =>
        new() { Repository = ServerFixture.Proto(repo), Shas = { shas.Select(ByteString.CopyFromUtf8) } };
}
