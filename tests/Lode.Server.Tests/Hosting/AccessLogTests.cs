using System.Text.Json;
using Gitaly;
using Grpc.Core;
using Grpc.Health.V1;
using Lode.Server.Logging;
using Lode.TestKit;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Tests.Hosting;

public sealed class AccessLogTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task EachRpc_OneAccessLogLineWithGitalyFields()
    {
        var repo = await server.CreateRepoAsync();
        var correlation = "corr-" + Guid.NewGuid().ToString("N");
        var headers = new Metadata { { "x-gitlab-correlation-id", correlation }, { "client_name", "gitlab-web" }, { "gitaly-feature-some-flag", "true" } };

        await server.Repository.RepositoryExistsAsync(new() { Repository = ServerFixture.Proto(repo) }, headers);
        await server.Repository.HasLocalBranchesAsync(new() { Repository = ServerFixture.Proto(repo) }, headers);
        await Assert.ThrowsAsync<RpcException>(async () => await server.Repository.HasLocalBranchesAsync(new()
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "missing.git" },
        }, headers));

        var lines = server.Logs.AccessLog.Where(r => Equals(r.Fields.GetValueOrDefault("correlation_id"), correlation)).ToList();
        Assert.Equal(3, lines.Count);
        var first = lines[0].Fields;
        Assert.Equal("finished unary call with code OK", lines[0].Message);
        Assert.Equal("gitaly.RepositoryService", first["grpc.service"]);
        Assert.Equal("RepositoryExists", first["grpc.method"]);
        Assert.Equal("OK", first["grpc.code"]);
        Assert.IsType<double>(first["grpc.time_ms"]);
        Assert.Equal(ServerFixture.StorageName, first["grpc.request.repoStorage"]);
        Assert.Equal(repo.RelativePath, first["grpc.request.repoPath"]);
        Assert.Equal("project-1", first["grpc.request.glRepository"]);
        Assert.Equal("group/project", first["grpc.request.glProjectPath"]);
        Assert.Equal("gitlab-web", first["grpc.meta.client_name"]);
        Assert.Equal("accessor", first["grpc.meta.method_operation"]);
        Assert.Equal("repository", first["grpc.meta.method_scope"]);
        Assert.Equal("unary", first["grpc.meta.method_type"]);
        Assert.Equal("none", first["grpc.meta.deadline_type"]);
        Assert.Equal("some_flag".Replace('_', '-'), first["feature_flags"]);

        var second = lines[1].Fields;
        Assert.Equal(1, second["command.count"]);

        var failed = lines[2];
        Assert.Equal(LogLevel.Information, failed.Level);
        Assert.Equal("NotFound", failed.Fields["grpc.code"]);
        Assert.Equal("repository not found", failed.Fields["error"]);
    }

    [Fact]
    public async Task HealthCheck_NotLogged()
    {
        var before = server.Logs.AccessLog.Count(r => Equals(r.Fields.GetValueOrDefault("grpc.service"), "grpc.health.v1.Health"));

        await new Health.HealthClient(server.Invoker).CheckAsync(new HealthCheckRequest());

        Assert.Equal(before, server.Logs.AccessLog.Count(r => Equals(r.Fields.GetValueOrDefault("grpc.service"), "grpc.health.v1.Health")));
    }

    [Fact]
    public async Task JsonFormatter_AccessLogEntry_IsOneJsonObjectWithDottedKeys()
    {
        await server.Server.ServerInfoAsync(new ServerInfoRequest());
        var record = server.Logs.AccessLog.Last(r => Equals(r.Fields.GetValueOrDefault("grpc.method"), "ServerInfo"));

        var line = LogLineWriter.FormatJson(record.Level, record.State!, record.Message);

        Assert.DoesNotContain('\n', line);
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("info", root.GetProperty("level").GetString());
        Assert.Equal("finished unary call with code OK", root.GetProperty("msg").GetString());
        Assert.Equal(Environment.ProcessId, root.GetProperty("pid").GetInt32());
        Assert.Equal("ServerInfo", root.GetProperty("grpc.method").GetString());
        Assert.Equal("gitaly.ServerService", root.GetProperty("grpc.service").GetString());
        Assert.Matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$", root.GetProperty("time").GetString());
    }
}
