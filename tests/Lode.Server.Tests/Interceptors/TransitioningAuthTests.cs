using Gitaly;
using Grpc.Core;
using Lode.TestKit.Fixtures;

namespace Lode.Server.Tests.Interceptors;

public sealed class TransitioningAuthTests(TransitioningServerFixture server) : IClassFixture<TransitioningServerFixture>
{
    [Fact]
    public async Task Transitioning_WrongOrMissingToken_AdmittedAndCounted()
    {
        var client = new ServerService.ServerServiceClient(server.Channel);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await client.ServerInfoAsync(new ServerInfoRequest());
        await client.ServerInfoAsync(new ServerInfoRequest(),
            new Metadata { { "authorization", $"Bearer v2.{AuthInterceptorTests.Sign("wrong", now)}.{now}" } });
        await client.ServerInfoAsync(new ServerInfoRequest(),
            new Metadata { { "authorization", $"Bearer v2.{AuthInterceptorTests.Sign(TransitioningServerFixture.Token, now)}.{now}" } });
        var metrics = await server.ScrapeMetricsAsync();

        Assert.Matches("gitaly_authentications_total\\{enforced=\"false\",status=\"unauthenticated\"\\} [1-9]", metrics);
        Assert.Matches("gitaly_authentications_total\\{enforced=\"false\",status=\"denied\"\\} [1-9]", metrics);
        Assert.Matches("gitaly_authentications_total\\{enforced=\"false\",status=\"would be ok\"\\} [1-9]", metrics);
    }
}
