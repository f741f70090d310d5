using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Lode.TestKit.Workhorse;

/// <summary>
/// The part of GitLab Workhorse a push goes through, for tests: <c>GET …/info/refs?service=git-receive-pack</c> becomes
/// InfoRefsReceivePack and <c>POST …/git-receive-pack</c> becomes a PostReceivePack stream (request body in 32 KiB
/// messages, as Workhorse sends it), with the user and project Rails would name. The URL path is the repository's
/// relative path. Real <c>git push http://…</c> runs through it against a real server.
/// </summary>
public sealed class MiniWorkhorse : IAsyncDisposable
{
    private readonly WebApplication app;

    private MiniWorkhorse(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:1234/</c>.</summary>
    public string Url { get; }

    public string GlId { get; set; } = "user-42";

    public string GlUsername { get; set; } = "jane";

    public string GlRepository { get; set; } = "project-1";

    public static async Task<MiniWorkhorse> StartAsync(SmartHTTPService.SmartHTTPServiceClient client, string storageName)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        MiniWorkhorse? workhorse = null;
        app.Run(context => workhorse!.HandleAsync(context, client, storageName));
        await app.StartAsync();
        var address = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First()
            : throw new InvalidOperationException("no server");
        workhorse = new MiniWorkhorse(app, address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return workhorse;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, SmartHTTPService.SmartHTTPServiceClient client, string storageName)
    {
        var path = context.Request.Path.Value ?? "";
        var protocol = context.Request.Headers["Git-Protocol"].ToString();
        if (context.Request.Method == "GET" && path.EndsWith("/info/refs", StringComparison.Ordinal) &&
            context.Request.Query["service"] == "git-receive-pack")
        {
            var repository = Repository(path[1..^"/info/refs".Length], storageName);
            context.Response.ContentType = "application/x-git-receive-pack-advertisement";
            using var call = client.InfoRefsReceivePack(new InfoRefsRequest { Repository = repository, GitProtocol = protocol },
                cancellationToken: context.RequestAborted);
            await foreach (var response in call.ResponseStream.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.Body.WriteAsync(response.Data.Memory, context.RequestAborted);
            }

            return;
        }

        if (context.Request.Method == "POST" && path.EndsWith("/git-receive-pack", StringComparison.Ordinal))
        {
            var repository = Repository(path[1..^"/git-receive-pack".Length], storageName);
            context.Response.ContentType = "application/x-git-receive-pack-result";
            using var call = client.PostReceivePack(cancellationToken: context.RequestAborted);
            await call.RequestStream.WriteAsync(new PostReceivePackRequest
            {
                Repository = repository,
                GlId = GlId,
                GlUsername = GlUsername,
                GlRepository = GlRepository,
                GitProtocol = protocol,
            });
            var relay = Task.Run(async () =>
            {
                await foreach (var response in call.ResponseStream.ReadAllAsync(context.RequestAborted))
                {
                    await context.Response.Body.WriteAsync(response.Data.Memory, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }
            });
            var buffer = new byte[32 * 1024];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await call.RequestStream.WriteAsync(new PostReceivePackRequest { Data = ByteString.CopyFrom(buffer, 0, read) });
            }

            await call.RequestStream.CompleteAsync();
            await relay;
            return;
        }

        context.Response.StatusCode = 404;
    }

    private Repository Repository(string relativePath, string storageName) =>
        new() { StorageName = storageName, RelativePath = relativePath, GlRepository = GlRepository };
}
