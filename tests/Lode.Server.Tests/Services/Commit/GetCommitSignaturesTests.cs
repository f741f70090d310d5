using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class GetCommitSignaturesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetCommitSignatures_SignedCommits_SignatureThenSignedTextAsGitVerifies(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var unsigned = await repo.CommitAsync();
        var pgp = await CommitTestData.WriteSignedCommitAsync(repo, "gpgsig", CommitTestData.PgpSignature, "Signed commit message\n");
        var ssh = await CommitTestData.WriteSignedCommitAsync(repo, "gpgsig-sha256", CommitTestData.SshSignature, "no newline", parent: unsigned);
        var missing = new string('1', repo.HexLength);

        var responses = await CallAsync(repo, [pgp.Id, unsigned, missing, ssh.Id]);

        var signatures = Fold(responses);
        Assert.Equal([pgp.Id, ssh.Id], signatures.Select(s => s.CommitId));
        Assert.Equal(CommitTestData.PgpSignature, signatures[0].Signature.ToStringUtf8());
        Assert.Equal(CommitTestData.SshSignature, signatures[1].Signature.ToStringUtf8());
        Assert.Equal(pgp.SignedText, signatures[0].SignedText.ToByteArray());
        Assert.Equal(ssh.SignedText, signatures[1].SignedText.ToByteArray());
        Assert.Equal(await WithoutSignatureAsync(repo, pgp.Id), signatures[0].SignedText.ToByteArray());
        Assert.All(signatures, s => Assert.Equal(GetCommitSignaturesResponse.Types.Signer.User, s.Signer));
        Assert.Equal("Bug Fixer", signatures[0].Author.Name.ToStringUtf8());
        Assert.Equal("bugfixer@email.com", signatures[0].Committer.Email.ToStringUtf8());
        Assert.Equal(1700000000, signatures[0].Author.Date.Seconds);
        Assert.Equal("+0100", signatures[0].Author.Timezone.ToStringUtf8());
    }

    [Fact]
    public async Task GetCommitSignatures_HugeMessage_SignedTextInChunks()
    {
        var repo = await server.CreateRepoAsync();
        var signed = await CommitTestData.WriteSignedCommitAsync(repo, "gpgsig", CommitTestData.PgpSignature, new string('a', 300 * 1024));

        var responses = await CallAsync(repo, [signed.Id]);

        Assert.Equal(4, responses.Count);
        Assert.Equal(signed.Id, responses[0].CommitId);
        Assert.True(responses[0].SignedText.IsEmpty);
        Assert.All(responses.Skip(1), r => Assert.True(r.CommitId.Length == 0 && r.Signature.IsEmpty && r.SignedText.Length <= 128 * 1024));
        Assert.Equal(signed.SignedText, Fold(responses)[0].SignedText.ToByteArray());
    }

    [Fact]
    public async Task GetCommitSignatures_MailmapInRepository_IdentitiesAsRecorded()
    {
        var repo = await server.CreateRepoAsync();
        var signed = await CommitTestData.WriteSignedCommitAsync(repo, "gpgsig", CommitTestData.PgpSignature, "message\n");
        await repo.CommitAsync(files: new Dictionary<string, object> { [".mailmap"] = "A U Thor <author@example.com> Bug Fixer <bugfixer@email.com>\n" });

        var response = Assert.Single(Fold(await CallAsync(repo, [signed.Id])));

        Assert.Equal("Bug Fixer", response.Author.Name.ToStringUtf8());
        Assert.Equal("bugfixer@email.com", response.Author.Email.ToStringUtf8());
    }

    [Theory]
    [InlineData(new string[0], "empty CommitIds")]
    [InlineData(new[] { "a17a9f6" }, "invalid object ID: \"a17a9f6\", expected length 40, got 7")]
    [InlineData(new[] { "zz7a9f66d1c0f8ea04f4d93b5ff4c8d0e2a3b4c5" }, "invalid object ID: \"zz7a9f66d1c0f8ea04f4d93b5ff4c8d0e2a3b4c5\", invalid character 'z'")]
    [InlineData(new[] { "A17A9F66D1C0F8EA04F4D93B5FF4C8D0E2A3B4C5" }, "invalid object ID: \"A17A9F66D1C0F8EA04F4D93B5FF4C8D0E2A3B4C5\", invalid character 'A'")]
    public async Task GetCommitSignatures_BadIds_InvalidArgument(string[] ids, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, ids));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task GetCommitSignatures_Sha256RepositoryWithSha1Id_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync("sha256");

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, [new string('1', 40)]));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal($"invalid object ID: \"{new string('1', 40)}\", expected length 64, got 40", e.Status.Detail);
    }

    /// <summary>The commit object without its gpgsig/gpgsig-sha256 header lines: what git verify-commit checks.</summary>
    private static async Task<byte[]> WithoutSignatureAsync(TestRepo repo, string id)
    {
        var raw = Encoding.UTF8.GetString(await repo.GitBytesAsync(["cat-file", "commit", id]));
        var headerEnd = raw.IndexOf("\n\n", StringComparison.Ordinal);
        var kept = new List<string>();
        var inSignature = false;
        foreach (var line in raw[..headerEnd].Split('\n'))
        {
            if (inSignature && line.StartsWith(' '))
            {
                continue;
            }

            inSignature = line.StartsWith("gpgsig ", StringComparison.Ordinal) || line.StartsWith("gpgsig-sha256 ", StringComparison.Ordinal);
            if (!inSignature)
            {
                kept.Add(line);
            }
        }

        return Encoding.UTF8.GetBytes(string.Join('\n', kept) + raw[headerEnd..]);
    }

    private static List<GetCommitSignaturesResponse> Fold(List<GetCommitSignaturesResponse> responses)
    {
        var result = new List<GetCommitSignaturesResponse>();
        foreach (var response in responses)
        {
            if (response.CommitId.Length > 0)
            {
                result.Add(response.Clone());
            }
            else
            {
                result[^1].SignedText = ByteString.CopyFrom([.. result[^1].SignedText.ToByteArray(), .. response.SignedText.ToByteArray()]);
            }
        }

        return result;
    }

    private async Task<List<GetCommitSignaturesResponse>> CallAsync(TestRepo repo, IEnumerable<string> ids)
    {
        using var call = server.Commit.GetCommitSignatures(new GetCommitSignaturesRequest
        {
            Repository = ServerFixture.Proto(repo),
            CommitIds = { ids },
        });
        var responses = new List<GetCommitSignaturesResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(response);
        }

        return responses;
    }
}
