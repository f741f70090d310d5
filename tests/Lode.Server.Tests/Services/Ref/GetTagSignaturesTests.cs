using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class GetTagSignaturesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string X509 = "-----BEGIN SIGNED MESSAGE-----\nMIISfwYJKoZIhvcNAQcCoIIScDCCEmwCAQExDTALBglghkgBZQMEAgEwCwYJKoZI\n-----END SIGNED MESSAGE-----";
    private const string Pgp = "-----BEGIN PGP SIGNATURE-----\niJwEAAEIAAYFAlmmbf0ACgkQv52SX5Ee/WVv1gP/WrjclOc3CYiTrTgNuxs/vyXl\n-----END PGP SIGNATURE-----";

    private Task<List<GetTagSignaturesResponse>> CallAsync(TestRepo repo, params string[] revisions)
    {
        var request = new GetTagSignaturesRequest { Repository = ServerFixture.Proto(repo) };
        request.TagRevisions.AddRange(revisions);
        return server.Ref.GetTagSignatures(request).ReadAllAsync();
    }

    private static List<GetTagSignaturesResponse.Types.TagSignature> Signatures(IEnumerable<GetTagSignaturesResponse> messages) =>
        messages.SelectMany(m => m.Signatures).ToList();

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetTagSignatures_SignedAndUnsigned_SplitAtSignature(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var commit = await repo.CommitAsync(branch: "main", message: "plain signed commit");
        var plainMessage = new string('a', 10 * 1024) + "\n";
        var x509 = await repo.AnnotatedTagAsync("plain-signed-tag", commit, plainMessage + X509);
        var pgp = await repo.AnnotatedTagAsync("pgp-signed-tag", commit, "pgp\n" + Pgp + "\n");
        var unsigned = await repo.AnnotatedTagAsync("unsigned-tag", commit, "tag message\n");
        var header = $"object {commit}\ntype commit\ntag plain-signed-tag\ntagger {RefRepo.Tagger}\n\n";

        var single = Signatures(await CallAsync(repo, x509));
        var byRef = Signatures(await CallAsync(repo, "refs/tags/pgp-signed-tag"));
        var byShortId = Signatures(await CallAsync(repo, x509[..7]));
        var several = Signatures(await CallAsync(repo, x509, unsigned));

        var expected = new GetTagSignaturesResponse.Types.TagSignature
        {
            TagId = x509,
            Signature = Google.Protobuf.ByteString.CopyFromUtf8(X509),
            Content = Google.Protobuf.ByteString.CopyFromUtf8(header + plainMessage),
        };
        Assert.Equal([expected], single);
        Assert.Equal([expected], byShortId);
        Assert.Equal(pgp, Assert.Single(byRef).TagId);
        Assert.Equal(Pgp, byRef[0].Signature.ToStringUtf8());
        Assert.Equal(Encoding.UTF8.GetString(await repo.GitBytesAsync(["cat-file", "tag", pgp]))[..^(Pgp.Length + 1)], byRef[0].Content.ToStringUtf8());
        Assert.Equal([x509, unsigned], several.Select(s => s.TagId));
        Assert.True(several[1].Signature.IsEmpty);
        Assert.Equal(await repo.GitBytesAsync(["cat-file", "tag", unsigned]), several[1].Content.ToByteArray());
    }

    [Fact]
    public async Task GetTagSignatures_CommitsAndPseudoRevisions_AsRevList()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var tag = await repo.AnnotatedTagAsync("signed", commit, "m\n" + Pgp);
        var nested = await repo.AnnotatedTagAsync("nested", tag, "outer\n");

        Assert.Empty(Signatures(await CallAsync(repo, commit)));
        Assert.Empty(Signatures(await CallAsync(repo, "main")));
        Assert.Empty(Signatures(await CallAsync(repo, "--not", "--all")));
        Assert.Equal(
            (await repo.GitLinesAsync("rev-list", "--in-commit-order", "--objects", "--filter=object:type=tag", "--filter-provided-objects", "--all")).Select(l => l.Split(' ')[0]),
            Signatures(await CallAsync(repo, "--all")).Select(s => s.TagId));
        var nestedOrder = (await repo.GitLinesAsync("rev-list", "--in-commit-order", "--objects", "--filter=object:type=tag", "--filter-provided-objects", nested))
            .Select(l => l.Split(' ')[0]).ToList();
        Assert.Equal(nestedOrder, Signatures(await CallAsync(repo, nested)).Select(s => s.TagId));
        Assert.Equal(2, nestedOrder.Count);
    }

    [Fact]
    public async Task GetTagSignatures_Errors_AsGitaly()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        var missing = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo));
        var invalid = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "--foobar"));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, new string('1', 40)));

        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Equal("missing revisions", missing.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal("invalid revision: revision can't start with '-'", invalid.Status.Detail);
        Assert.Equal(StatusCode.Internal, unknown.StatusCode);
        Assert.Equal("cat-file iterator stop: rev-list pipeline command: exit status 128", unknown.Status.Detail);
    }
}
