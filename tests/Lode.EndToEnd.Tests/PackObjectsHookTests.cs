using Lode.Core.Configuration;
using Lode.TestKit;

namespace Lode.EndToEnd.Tests;

/// <summary>The front door's server with <c>[pack_objects_cache] enabled</c>: upload-pack runs pack-objects through the hook.</summary>
public sealed class PackObjectsHookFixture : EndToEndFixture
{
    protected override LodeOptions Configure(LodeOptions options) => base.Configure(options) with
    {
        PackObjectsCache = new PackObjectsCacheOptions { Enabled = true },
    };
}

/// <summary>
/// Every transport scenario again with upload-pack's pack-objects hook (spec §7.5): git starts the hooks executable
/// in place of pack-objects, which asks HookService for the pack over its own socket.
/// </summary>
public sealed class PackObjectsHookTests(PackObjectsHookFixture server) : TransportScenarios(server), IClassFixture<PackObjectsHookFixture>
{
    protected override string Remote(TestRepo repo) => Server.Url(repo);

    protected override IReadOnlyDictionary<string, string> Env => new Dictionary<string, string>();

    [Fact]
    public async Task Clone_PackComesFromPackObjectsHookWithSidechannel()
    {
        var repo = await Server.CreateRepoAsync();
        var tip = await repo.CommitAsync();
        using var clone = new TempDirectory("lode-e2e-pohook-");

        await Git.OkAsync(clone.Path, null, "clone", "--bare", "--quiet", Remote(repo), "c.git");

        Assert.Equal(tip, (await Git.OkAsync(clone.Combine("c.git"), null, "rev-parse", "main")).Trim());
        var calls = Server.Logs.AccessLog.Where(r => Equals(r.Fields.GetValueOrDefault("grpc.method"), "PackObjectsHookWithSidechannel") &&
            Equals(r.Fields.GetValueOrDefault("grpc.request.repoPath"), repo.RelativePath)).ToList();
        Assert.Single(calls);
        Assert.Equal("OK", calls[0].Fields["grpc.code"]);
    }
}
