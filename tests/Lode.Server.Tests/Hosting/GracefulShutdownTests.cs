using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Hosting;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Stop_DuringStreamingCall_CallCompletesNewCallsRefusedNoGitLeft()
    {
        var server = new ServerFixture();
        await server.InitializeAsync();
        try
        {
            var repo = await server.CreateRepoAsync();
            var commit = await repo.CommitAsync();
            using var call = server.Commit.CheckObjectsExist();
            await call.RequestStream.WriteAsync(new CheckObjectsExistRequest
            {
                Repository = ServerFixture.Proto(repo),
                Revisions = { ByteString.CopyFromUtf8(commit) },
            });

            // The call is in flight once its cat-file process runs.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (server.RunningProcesses == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.True(server.RunningProcesses > 0, "the streaming call never started its git process");

            var stopping = server.StopAsync();
            await Task.Delay(300);

            // A new connection is refused while the old call is still running.
            using var fresh = server.CreateTcpChannel();
            var refused = await Assert.ThrowsAsync<RpcException>(async () =>
                await new ServerService.ServerServiceClient(fresh).ServerInfoAsync(new ServerInfoRequest()));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.False(stopping.IsCompleted);

            await call.RequestStream.WriteAsync(new CheckObjectsExistRequest { Revisions = { ByteString.CopyFromUtf8("refs/heads/missing") } });
            await call.RequestStream.CompleteAsync();
            var results = new List<CheckObjectsExistResponse.Types.RevisionExistence>();
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                results.AddRange(response.Revisions);
            }

            await stopping.WaitAsync(TimeSpan.FromSeconds(15));

            Assert.Equal([true, false], results.Select(r => r.Exists));
            Assert.Equal(0, server.RunningProcesses);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Stop_CallOutlivesGracePeriod_ItsGitProcessIsKilled()
    {
        var server = new ShortGraceServerFixture();
        await server.InitializeAsync();
        try
        {
            var repo = await server.CreateRepoAsync();
            var commit = await repo.CommitAsync();
            using var call = server.Commit.CheckObjectsExist();
            await call.RequestStream.WriteAsync(new CheckObjectsExistRequest
            {
                Repository = ServerFixture.Proto(repo),
                Revisions = { ByteString.CopyFromUtf8(commit) },
            });
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (server.RunningProcesses == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            // The client never finishes; the server stops anyway after its grace period.
            await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(0, server.RunningProcesses);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private sealed class ShortGraceServerFixture : ServerFixture
    {
        protected override Core.Configuration.LodeOptions Configure(Core.Configuration.LodeOptions options) =>
            options with { GracefulRestartTimeout = TimeSpan.FromSeconds(1) };
    }
}
