using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

#pragma warning disable CA5350 // SHA-1 is what Gitaly's checksum is defined with; nothing here is security.

public sealed class CalculateChecksumTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task CalculateChecksum_PopulatedRepository_XorOfShowRefLines(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        foreach (var reference in new[] { "refs/heads/main", "refs/heads/branch", "refs/tags/v1.0.0", "refs/notes/note", "refs/keep-around/k" })
        {
            var commit = await repo.CommitAsync(branch: "", message: reference);
            await repo.GitAsync("update-ref", reference, commit);
        }

        var reply = await CallAsync(repo);

        Assert.Equal(await ExpectedAsync(repo), reply.Checksum);
        Assert.Equal(40, reply.Checksum.Length);
    }

    [Fact]
    public async Task CalculateChecksum_UnknownNamespaces_Ignored()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        var before = (await CallAsync(repo)).Checksum;
        await repo.GitAsync("update-ref", "refs/unknown/namespace", commit);
        await repo.GitAsync("update-ref", "refs/remotes/origin/main", commit);

        var after = (await CallAsync(repo)).Checksum;

        Assert.Equal(before, after);
        Assert.Equal(await ExpectedAsync(repo), after);
    }

    [Fact]
    public async Task CalculateChecksum_EmptyRepository_FortyZeros()
    {
        var repo = await server.CreateRepoAsync();

        var reply = await CallAsync(repo);

        Assert.Equal(new string('0', 40), reply.Checksum);
    }

    [Fact]
    public async Task CalculateChecksum_OnlyUncountedReferences_FortyZeros()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "");
        await repo.GitAsync("update-ref", "refs/pipelines/1", commit);

        var reply = await CallAsync(repo);

        Assert.Equal(new string('0', 40), reply.Checksum);
    }

    [Fact]
    public async Task CalculateChecksum_HashWithLeadingZeroByte_LeadingZerosDropped()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "");

        // HEAD stays unborn, so the single branch is the only line: pick a name whose line hashes to 00…
        var name = Enumerable.Range(0, 100_000).Select(i => "refs/heads/b" + i)
            .First(n => SHA1.HashData(Encoding.ASCII.GetBytes(commit + " " + n))[0] == 0);
        await repo.GitAsync("update-ref", name, commit);

        var reply = await CallAsync(repo);

        var hash = SHA1.HashData(Encoding.ASCII.GetBytes(commit + " " + name));
        Assert.Equal(Convert.ToHexStringLower(hash.AsSpan(hash.AsSpan().IndexOfAnyExcept((byte)0))), reply.Checksum);
        Assert.True(reply.Checksum.Length < 40);
    }

    [Fact]
    public async Task CalculateChecksum_NonUtf8ReferenceName_Counted()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "main");
        byte[] name = [.. "refs/heads/caf"u8, 0xe9];
        await repo.GitBytesAsync(["update-ref", "-z", "--stdin"], [.. "update "u8, .. name, 0, .. Encoding.ASCII.GetBytes(commit), 0, 0]);

        var reply = await CallAsync(repo);

        Assert.Equal(await ExpectedAsync(repo), reply.Checksum);
    }

    [Fact]
    public async Task CalculateChecksum_BrokenHead_DataLoss()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main");
        await File.WriteAllBytesAsync(Path.Combine(repo.Path, "HEAD"), []);

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo));

        Assert.Equal(StatusCode.DataLoss, e.StatusCode);
        Assert.StartsWith("not a git repository", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CalculateChecksum_NoRepository_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => server.Repository.CalculateChecksumAsync(new CalculateChecksumRequest()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task CalculateChecksum_UnknownStorage_InvalidArgument()
    {
        var request = new CalculateChecksumRequest { Repository = new Gitaly.Repository { StorageName = "fake", RelativePath = "x.git" } };

        var e = await Assert.ThrowsAsync<RpcException>(() => server.Repository.CalculateChecksumAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<CalculateChecksumResponse> CallAsync(TestRepo repo) =>
        await server.Repository.CalculateChecksumAsync(new CalculateChecksumRequest { Repository = ServerFixture.Proto(repo) });

    /// <summary>The checksum computed here from git's own show-ref output, as Gitaly defines it.</summary>
    private static async Task<string> ExpectedAsync(TestRepo repo)
    {
        var output = await repo.GitBytesAsync(["show-ref", "--head"]);
        var sum = new byte[20];
        var counted = new Regex("HEAD|(refs/(heads|tags|keep-around|merge-requests|environments|notes)/)");
        var start = 0;
        for (var i = 0; i < output.Length; i++)
        {
            if (output[i] != (byte)'\n')
            {
                continue;
            }

            var line = output.AsSpan(start, i - start);
            start = i + 1;
            if (!counted.IsMatch(Encoding.Latin1.GetString(line)))
            {
                continue;
            }

            var hash = SHA1.HashData(line);
            for (var k = 0; k < 20; k++)
            {
                sum[k] ^= hash[k];
            }
        }

        var first = sum.AsSpan().IndexOfAnyExcept((byte)0);
        return first < 0 ? new string('0', 40) : Convert.ToHexStringLower(sum.AsSpan(first));
    }
}
