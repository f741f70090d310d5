using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gitaly;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Lode.TestKit;
using Lode.TestKit.Fixtures;

namespace Lode.Server.Tests.Interceptors;

public sealed class AuthInterceptorTests(TokenServerFixture server) : IClassFixture<TokenServerFixture>
{
    private const string Token = TokenServerFixture.Token;

    /// <summary>
    /// Header templates, filled in when the test runs (not when it is discovered, or the clock would move):
    /// {ts} = now + offset, {sig} = HMAC of {ts} with the server's token, {bad} = HMAC with another key.
    /// </summary>
    public static TheoryData<string, string?, int, StatusCode> Cases() => new()
    {
        { "missing header", null, 0, StatusCode.Unauthenticated },
        { "basic scheme", "Basic dXNlcjpwYXNz", 0, StatusCode.Unauthenticated },
        { "bearer without value", "Bearer", 0, StatusCode.Unauthenticated },
        { "two parts", "Bearer v2.{sig}", 0, StatusCode.Unauthenticated },
        { "non-hex signature", "Bearer v2.zzzz.{ts}", 0, StatusCode.Unauthenticated },
        { "raw token (v1 style)", "Bearer " + Token, 0, StatusCode.Unauthenticated },
        { "version 1", "Bearer v1.{sig}.{ts}", 0, StatusCode.PermissionDenied },
        { "wrong hmac", "Bearer v2.{bad}.{ts}", 0, StatusCode.PermissionDenied },
        { "timestamp 40s old", "Bearer v2.{sig}.{ts}", -40, StatusCode.PermissionDenied },
        { "timestamp 40s ahead", "Bearer v2.{sig}.{ts}", 40, StatusCode.PermissionDenied },
        { "signed non-numeric timestamp", "Bearer v2.{sigtext}.yesterday", 0, StatusCode.PermissionDenied },
        { "valid", "Bearer v2.{sig}.{ts}", 0, StatusCode.OK },
        { "valid, lowercase scheme", "bearer v2.{sig}.{ts}", 0, StatusCode.OK },
        { "valid, 20s old", "Bearer v2.{sig}.{ts}", -20, StatusCode.OK },
        { "valid, 20s ahead", "Bearer v2.{sig}.{ts}", 20, StatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ServerInfo_AuthorizationHeader_AnswersExpectedCode(string name, string? template, int offset, StatusCode expected)
    {
        var client = new ServerService.ServerServiceClient(server.Channel);
        var headers = new Metadata();
        if (template is not null)
        {
            var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + offset;
            headers.Add("authorization", template
                .Replace("{sigtext}", SignText(Token, "yesterday"), StringComparison.Ordinal)
                .Replace("{sig}", Sign(Token, ts), StringComparison.Ordinal)
                .Replace("{bad}", Sign("other-secret", ts), StringComparison.Ordinal)
                .Replace("{ts}", ts.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        var code = await CodeOfAsync(() => client.ServerInfoAsync(new ServerInfoRequest(), headers).ResponseAsync);

        Assert.True(expected == code, $"{name}: expected {expected}, got {code}");
    }

    [Fact]
    public async Task Errors_MessagesAreGitalys()
    {
        var client = new ServerService.ServerServiceClient(server.Channel);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await client.ServerInfoAsync(new ServerInfoRequest()));
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await client.ServerInfoAsync(new ServerInfoRequest(),
            new Metadata { { "authorization", $"Bearer v2.{Sign("wrong", 1)}.1" } }));

        Assert.Equal("authentication required", missing.Status.Detail);
        Assert.Equal("permission denied", denied.Status.Detail);
    }

    [Fact]
    public async Task HealthAndReflection_WithoutToken_Unauthenticated()
    {
        var health = new Health.HealthClient(server.Channel);
        var healthCode = await CodeOfAsync(() => health.CheckAsync(new HealthCheckRequest()).ResponseAsync);

        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(server.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        var reflectionCode = await CodeOfAsync(async () => await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Unauthenticated, healthCode);
        Assert.Equal(StatusCode.Unauthenticated, reflectionCode);
    }

    [Fact]
    public async Task HealthAndReflection_WithToken_Serve()
    {
        var health = new Health.HealthClient(server.Invoker);
        var reply = await health.CheckAsync(new HealthCheckRequest());

        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(server.Invoker);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        Assert.Contains("gitaly.RepositoryService", services);
        Assert.Contains("gitaly.RefService", services);
    }

    [Fact]
    public async Task Metrics_CountDeniedAndOkAttempts()
    {
        var client = new ServerService.ServerServiceClient(server.Channel);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await CodeOfAsync(() => client.ServerInfoAsync(new ServerInfoRequest(), new Metadata { { "authorization", $"Bearer v2.{Sign("x", now)}.{now}" } }).ResponseAsync);
        await CodeOfAsync(() => client.ServerInfoAsync(new ServerInfoRequest(), new Metadata { { "authorization", $"Bearer v2.{Sign(Token, now - 100)}.{now - 100}" } }).ResponseAsync);
        await server.Server.ServerInfoAsync(new ServerInfoRequest());

        var metrics = await server.ScrapeMetricsAsync();

        Assert.Matches("gitaly_authentications_total\\{enforced=\"true\",status=\"denied\"\\} [1-9]", metrics);
        Assert.Matches("gitaly_authentications_total\\{enforced=\"true\",status=\"ok\"\\} [1-9]", metrics);
        Assert.Matches("gitaly_authentication_errors_total\\{version=\"v2\",error=\"wrong hmac signature\"\\} [1-9]", metrics);
        Assert.Matches("gitaly_authentication_errors_total\\{version=\"v2\",error=\"timestamp too old\"\\} [1-9]", metrics);
    }

    internal static string Sign(string token, long timestamp) => SignText(token, timestamp.ToString(CultureInfo.InvariantCulture));

    private static string SignText(string token, string text) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(text)));

    private static async Task<StatusCode> CodeOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
