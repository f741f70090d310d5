using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class CheckObjectsExistTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task CheckObjectsExist_MixedRevisions_MatchesCatFile(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        var first = await repo.CommitAsync();
        var second = await repo.CommitAsync();
        var blob = await repo.WriteBlobAsync("loose blob");
        string[] revisions = [first, second, "main", "main~1", blob, "refs/heads/nope", new string('1', repo.HexLength), "v1.0-nope"];

        var results = await CallAsync(ServerFixture.Proto(repo), [revisions[..4], revisions[4..]]);

        Assert.Equal(revisions, results.Select(r => r.Name.ToStringUtf8()));
        foreach (var r in results)
        {
            var expected = await repo.TryRevParseAsync(r.Name.ToStringUtf8()) is not null;
            Assert.True(expected == r.Exists, r.Name.ToStringUtf8());
        }
    }

    [Fact]
    public async Task CheckObjectsExist_ObjectOnlyInQuarantine_ExistsWithQuarantineDirectories()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();
        var quarantine = Path.Combine(repo.Path, "objects", "incoming-test");
        Directory.CreateDirectory(quarantine);
        var env = new Dictionary<string, string> { ["GIT_OBJECT_DIRECTORY"] = quarantine };
        var blob = System.Text.Encoding.ASCII.GetString(await GitCli.RunBytesAsync(repo.Path, ["hash-object", "-w", "--stdin"],
            "pushed content"u8.ToArray(), env)).Trim();
        var plain = ServerFixture.Proto(repo);
        var quarantined = ServerFixture.Proto(repo);
        quarantined.GitObjectDirectory = "objects/incoming-test";
        quarantined.GitAlternateObjectDirectories.Add("objects");

        var without = await CallAsync(plain, [[blob]]);
        var with = await CallAsync(quarantined, [[blob]]);

        Assert.False(Assert.Single(without).Exists);
        Assert.True(Assert.Single(with).Exists);
    }

    [Fact]
    public async Task CheckObjectsExist_NoRequests_EmptyStream()
    {
        using var call = server.Commit.CheckObjectsExist();
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Theory]
    [InlineData("-all")]
    [InlineData("a b")]
    [InlineData("main:README.md")]
    [InlineData("")]
    public async Task CheckObjectsExist_BadRevision_InvalidArgument(string revision)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(ServerFixture.Proto(repo), [[revision]]));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("invalid revision: ", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckObjectsExist_SameSessionId_ReusesOneCatFileProcess()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync();
        var headers = new Metadata { { "gitaly-session-id", Guid.NewGuid().ToString() } };

        await CallAsync(ServerFixture.Proto(repo), [[commit]], headers);
        var afterFirst = await server.ScrapeMetricsAsync();
        await CallAsync(ServerFixture.Proto(repo), [[commit]], headers);
        var afterSecond = await server.ScrapeMetricsAsync();

        Assert.Equal(Counter(afterFirst, "gitaly_catfile_processes_total"), Counter(afterSecond, "gitaly_catfile_processes_total"));
        Assert.Equal(Counter(afterFirst, "gitaly_catfile_cache_total{type=\"hit\"}") + 1, Counter(afterSecond, "gitaly_catfile_cache_total{type=\"hit\"}"));
    }

    private async Task<List<CheckObjectsExistResponse.Types.RevisionExistence>> CallAsync(Gitaly.Repository repository,
        IEnumerable<string[]> batches, Metadata? headers = null)
    {
        using var call = server.Commit.CheckObjectsExist(headers);
        var firstMessage = true;
        foreach (var batch in batches)
        {
            var request = new CheckObjectsExistRequest();
            if (firstMessage)
            {
                request.Repository = repository;
                firstMessage = false;
            }

            request.Revisions.AddRange(batch.Select(ByteString.CopyFromUtf8));
            await call.RequestStream.WriteAsync(request);
        }

        await call.RequestStream.CompleteAsync();
        var results = new List<CheckObjectsExistResponse.Types.RevisionExistence>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            results.AddRange(response.Revisions);
        }

        return results;
    }

    private static double Counter(string metrics, string series)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
