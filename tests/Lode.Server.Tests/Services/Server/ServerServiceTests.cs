using System.Globalization;
using System.Text.Json;
using Gitaly;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Server;

public sealed class ServerServiceTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ServerInfo_ReportsGitVersionAndStorage()
    {
        var reply = await server.Server.ServerInfoAsync(new ServerInfoRequest());

        var gitVersion = (await GitCli.RunAsync(null, "version")).Replace("git version ", "", StringComparison.Ordinal);
        var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(server.StoragePath, ".gitaly-metadata")));
        var storage = Assert.Single(reply.StorageStatuses);
        Assert.Equal(gitVersion, reply.GitVersion);
        Assert.StartsWith("18.", reply.ServerVersion, StringComparison.Ordinal);
        Assert.Equal(ServerFixture.StorageName, storage.StorageName);
        Assert.True(storage.Readable);
        Assert.True(storage.Writeable);
        Assert.Equal(metadata.RootElement.GetProperty("gitaly_filesystem_id").GetString(), storage.FilesystemId);
        Assert.True(Guid.TryParse(storage.FilesystemId, out _));
        Assert.Equal(1u, storage.ReplicationFactor);
        Assert.Equal(await FsTypeAsync(server.StoragePath), storage.FsType);
        Assert.False(File.Exists(Path.Combine(server.StoragePath, "+testWrite")));
    }

    [Fact]
    public async Task DiskStatistics_MatchesDf()
    {
        var reply = await server.Server.DiskStatisticsAsync(new DiskStatisticsRequest());

        var df = (await RunAsync("df", "-B1", "--output=avail,used", server.StoragePath)).Split('\n')[1]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var storage = Assert.Single(reply.StorageStatuses);
        Assert.Equal(ServerFixture.StorageName, storage.StorageName);

        // Other tests write to the same disk meanwhile: allow a little drift.
        Assert.InRange(storage.Available, long.Parse(df[0], CultureInfo.InvariantCulture) - (64L << 20), long.Parse(df[0], CultureInfo.InvariantCulture) + (64L << 20));
        Assert.InRange(storage.Used, long.Parse(df[1], CultureInfo.InvariantCulture) - (64L << 20), long.Parse(df[1], CultureInfo.InvariantCulture) + (64L << 20));
    }

    [Fact]
    public async Task ReadinessCheck_HealthyServer_Ok()
    {
        var reply = await server.Server.ReadinessCheckAsync(new ReadinessCheckRequest { Timeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) });

        Assert.Equal(ReadinessCheckResponse.ResultOneofCase.OkResponse, reply.ResultCase);
    }

    [Fact]
    public async Task ServerSignature_NoSigningKey_EmptyKey()
    {
        var reply = await server.Server.ServerSignatureAsync(new ServerSignatureRequest());

        Assert.True(reply.PublicKey.IsEmpty);
    }

    private static Task<string> FsTypeAsync(string path) => RunAsync("findmnt", "-n", "-o", "FSTYPE", "--target", path);

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output.Trim();
    }
}
