using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ref;

public sealed class FindTagTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task<Tag> CallAsync(TestRepo repo, byte[] name) =>
        (await server.Ref.FindTagAsync(new() { Repository = ServerFixture.Proto(repo), TagName = ByteString.CopyFrom(name) })).Tag;

    private Task<Tag> CallAsync(TestRepo repo, string name) => CallAsync(repo, Encoding.UTF8.GetBytes(name));

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindTag_AnnotatedAndLightweight_AsGitaly(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var commit = await repo.CommitAsync(branch: "main", message: "subject");
        var annotatedId = await repo.AnnotatedTagAsync("annotated", commit, "message\n");
        await repo.CreateRefAsync("refs/tags/light", commit);

        var annotated = await CallAsync(repo, "annotated");
        var light = await CallAsync(repo, "light");

        Assert.Equal("annotated", annotated.Name.ToStringUtf8());
        Assert.Equal(annotatedId, annotated.Id);
        Assert.Equal("message", annotated.Message.ToStringUtf8());
        Assert.Equal(7, annotated.MessageSize);
        Assert.Equal(commit, annotated.TargetCommit.Id);
        Assert.Equal("subject", annotated.TargetCommit.Subject.ToStringUtf8());
        Assert.Equal("Tag Ger", annotated.Tagger.Name.ToStringUtf8());
        Assert.Equal(commit, light.Id);
        Assert.Equal(commit, light.TargetCommit.Id);
        Assert.Null(light.Tagger);
    }

    [Fact]
    public async Task FindTag_DeeplyNestedAndNonCommitTargets_PeeledAsGitaly()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var current = commit;
        for (var i = 0; i < 20; i++)
        {
            current = await repo.AnnotatedTagAsync($"tag-{i}", current, $"tag-{i}");
        }

        var blob = await repo.WriteBlobAsync("tagged data");
        var blobTag = await repo.AnnotatedTagAsync("tagged-blob", blob, "annotated");
        await repo.CreateRefAsync("refs/tags/light-blob", blob);

        var nested = await CallAsync(repo, "tag-19");
        var ofBlob = await CallAsync(repo, "tagged-blob");
        var lightBlob = await CallAsync(repo, "light-blob");

        Assert.Equal(current, nested.Id);
        Assert.Equal(commit, nested.TargetCommit.Id);
        Assert.Equal("tag-19", nested.Message.ToStringUtf8());
        Assert.Equal(blobTag, ofBlob.Id);
        Assert.Null(ofBlob.TargetCommit);
        Assert.Equal("annotated", ofBlob.Message.ToStringUtf8());
        Assert.Equal(new Tag { Id = blob, Name = ByteString.CopyFromUtf8("light-blob") }, lightBlob);
    }

    [Fact]
    public async Task FindTag_SignedAndHugeMessages_TrimmedAndTyped()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        const string signature = "-----BEGIN SIGNED MESSAGE-----\nMIISfwYJKoZIhvcNAQcCoIIScDCCEmwCAQExDTALBglghkgBZQMEAgEwCwYJKoZI\n-----END SIGNED MESSAGE-----";
        await repo.AnnotatedTagAsync("x509", commit, "msg\n" + signature + "\n");
        await repo.AnnotatedTagAsync("huge", commit, new string('a', 11 * 1024));
        // A signature as a header (not git's format for tags) is no signature to Gitaly.
        var headerSigned = await repo.WriteRawTagAsync(Encoding.UTF8.GetBytes(
            $"object {commit}\ntype commit\ntag signed-tag\ntagger Some Author <some.author@example.com> 100000000 +0100\n" +
            "gpgsig -----BEGIN PGP SIGNATURE-----\n this is a pseudo PGP signature\n -----END PGP SIGNATURE-----\n\nsigned tag message\n"));
        await repo.CreateRefAsync("refs/tags/signed-tag", headerSigned);

        var x509 = await CallAsync(repo, "x509");
        var huge = await CallAsync(repo, "huge");
        var signed = await CallAsync(repo, "signed-tag");

        Assert.Equal(SignatureType.X509, x509.SignatureType);
        Assert.Equal("msg\n" + signature, x509.Message.ToStringUtf8());
        Assert.Equal(10 * 1024, huge.Message.Length);
        Assert.Equal(11 * 1024, huge.MessageSize);
        Assert.Equal(SignatureType.None, signed.SignatureType);
        Assert.Equal("signed tag message", signed.Message.ToStringUtf8());
        Assert.Equal(100000000, signed.Tagger.Date.Seconds);
        Assert.Equal("some.author@example.com", signed.Tagger.Email.ToStringUtf8());
    }

    [Fact]
    public async Task FindTag_NameIsAGlob_FirstMatchInRefOrder()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        await repo.CreateRefsAsync([("refs/tags/v2", commit), ("refs/tags/v1/x", commit), ("refs/tags/w", commit)]);

        var tag = await CallAsync(repo, "v*");

        Assert.Equal((await repo.GitLinesAsync("tag", "-l", "v*"))[0], tag.Name.ToStringUtf8());
        Assert.Equal("v1/x", tag.Name.ToStringUtf8());
    }

    [Fact]
    public async Task FindTag_NonUtf8Name_FoundByBytes()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var oid = await repo.AnnotatedTagAsync("x", commit, "latin\n", createRef: false);
        await repo.CreateRefAsync(RefRepo.Concat("refs/tags/", RefRepo.Latin1Name), oid);

        var tag = await CallAsync(repo, RefRepo.Latin1Name);

        Assert.Equal(RefRepo.Latin1Name, tag.Name.ToByteArray());
        Assert.Equal(oid, tag.Id);
        Assert.Equal(commit, tag.TargetCommit.Id);
    }

    [Fact]
    public async Task FindTag_Missing_NotFoundWithTagNotFoundDetail()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "does-not-exist"));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("tag does not exist", e.Status.Detail);
        var status = e.GetRpcStatus();
        Assert.NotNull(status);
        var detail = Assert.Single(status.Details).Unpack<FindTagError>();
        Assert.Equal("refs/tags/does-not-exist", detail.TagNotFound.ReferenceName.ToStringUtf8());
    }

    [Fact]
    public async Task FindTag_EmptyName_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ""));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("tag name is empty", e.Status.Detail);
    }
}
