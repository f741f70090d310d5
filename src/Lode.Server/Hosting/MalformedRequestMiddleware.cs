using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Hosting;

/// <summary>
/// A request whose message cannot be decoded fails inside grpc-dotnet before any interceptor runs, and it
/// answers UNKNOWN. Gitaly (grpc-go) answers INTERNAL "grpc: error unmarshalling request", and Lode's own
/// handlers never produce UNKNOWN, so any UNKNOWN leaving the server is such a framework failure: it is
/// rewritten here and logged once, as a warning, since the client is at fault.
/// </summary>
public sealed partial class MalformedRequestMiddleware(RequestDelegate next, ILogger<MalformedRequestMiddleware> logger)
{
    private const string Unknown = "2";
    private const string Internal = "13";
    private const string Message = "grpc: error unmarshalling request";

    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);

        if (context.Response.Headers.TryGetValue("grpc-status", out var headerStatus) && headerStatus == Unknown)
        {
            context.Response.Headers["grpc-status"] = Internal;
            context.Response.Headers["grpc-message"] = Message;
            LogRejected(logger, context.Request.Path);
            return;
        }

        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        if (trailers is not null && !trailers.IsReadOnly && trailers.TryGetValue("grpc-status", out var trailerStatus) && trailerStatus == Unknown)
        {
            trailers["grpc-status"] = Internal;
            trailers["grpc-message"] = Message;
            LogRejected(logger, context.Request.Path);
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "rejected a request that could not be decoded: {grpc_method}")]
    private static partial void LogRejected(ILogger logger, string grpc_method);
}
