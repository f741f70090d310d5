using Gitaly;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Hosting;

public sealed class MetricsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Scrape_AfterCalls_HasGrpcServerSeriesLabelledAsGitalys()
    {
        var repo = await server.CreateRepoAsync();
        for (var i = 0; i < 3; i++)
        {
            await server.Repository.RepositoryExistsAsync(new() { Repository = ServerFixture.Proto(repo) });
        }

        await Assert.ThrowsAsync<RpcException>(async () => await server.Repository.RepositoryExistsAsync(new()
        {
            Repository = new Gitaly.Repository { StorageName = "nope", RelativePath = "x" },
        }));

        var metrics = await server.ScrapeMetricsAsync();

        Assert.Contains("grpc_server_handled_total{grpc_type=\"unary\",grpc_service=\"gitaly.RepositoryService\",grpc_method=\"RepositoryExists\",grpc_code=\"OK\"} 3", metrics, StringComparison.Ordinal);
        Assert.Contains("grpc_server_handled_total{grpc_type=\"unary\",grpc_service=\"gitaly.RepositoryService\",grpc_method=\"RepositoryExists\",grpc_code=\"InvalidArgument\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("grpc_server_started_total{grpc_type=\"unary\",grpc_service=\"gitaly.RepositoryService\",grpc_method=\"RepositoryExists\"} 4", metrics, StringComparison.Ordinal);
        Assert.Contains("grpc_server_msg_received_total{grpc_type=\"unary\",grpc_service=\"gitaly.RepositoryService\",grpc_method=\"RepositoryExists\"} 4", metrics, StringComparison.Ordinal);
        Assert.Contains("grpc_server_msg_sent_total{grpc_type=\"unary\",grpc_service=\"gitaly.RepositoryService\",grpc_method=\"RepositoryExists\"} 3", metrics, StringComparison.Ordinal);
        Assert.Contains("grpc_server_handling_seconds_bucket{grpc_type=\"unary\",grpc_service=\"gitaly.RepositoryService\",grpc_method=\"RepositoryExists\",le=\"0.001\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("grpc_server_handling_seconds_bucket{grpc_type=\"unary\",grpc_service=\"gitaly.RepositoryService\",grpc_method=\"RepositoryExists\",le=\"1500\"} 4", metrics, StringComparison.Ordinal);
        Assert.Matches("gitaly_service_client_requests_total\\{[^}]*grpc_method=\"RepositoryExists\"[^}]*grpc_code=\"OK\"[^}]*method_operation=\"accessor\",method_scope=\"repository\"\\} 3", metrics);
    }

    [Fact]
    public async Task MetricsListener_OtherPaths_NotFound_AndGrpcListenerHasNoMetrics()
    {
        using var http = new HttpClient();

        var other = await http.GetAsync(new Uri("http://" + server.Endpoints.Metrics + "/debug"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, other.StatusCode);
    }
}
