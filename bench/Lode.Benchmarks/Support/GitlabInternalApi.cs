using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Lode.Benchmarks.Support;

/// <summary>
/// GitLab's internal API as a push meets it (spec §8.5): <c>/allowed</c> allows, <c>/pre_receive</c> and
/// <c>/post_receive</c> move the reference counter, on 127.0.0.1:0. It answers at once, so a benchmark measures what
/// Lode adds around the calls, not GitLab's own time. Requests are counted per path so the benchmark can show that
/// every push really asked.
/// </summary>
internal sealed class GitlabInternalApi : IAsyncDisposable
{
    public const string Secret = "bench-gitlab-secret";

    private readonly WebApplication app;

    private GitlabInternalApi(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    /// <summary>The <c>[gitlab] url</c>.</summary>
    public string Url { get; }

    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    public static async Task<GitlabInternalApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        GitlabInternalApi? api = null;
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            api!.Calls.AddOrUpdate(path, 1, (_, n) => n + 1);
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(path switch
            {
                "/api/v4/internal/allowed" => """{"status":true,"message":""}""",
                "/api/v4/internal/pre_receive" => """{"reference_counter_increased":true}""",
                "/api/v4/internal/post_receive" => """{"reference_counter_decreased":true,"messages":[]}""",
                _ => """{"message":"not found"}""",
            });
        });
        await app.StartAsync();
        var address = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First()
            : throw new InvalidOperationException("no server");
        api = new GitlabInternalApi(app, address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return api;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
