using Grpc.Core;
using Grpc.Core.Interceptors;
using Lode.Core.Configuration;
using Lode.Server.Auth;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Interceptors;

/// <summary>
/// Enforces the shared token on every method, health and reflection included (spec §2). With
/// <c>transitioning = true</c> every request is checked and counted but admitted, so a token can be rolled out
/// without downtime.
/// </summary>
internal sealed partial class AuthInterceptor : Interceptor
{
    private readonly AuthOptions options;
    private readonly TokenValidator? validator;
    private readonly AuthMetrics metrics;
    private readonly string enforced;

    public AuthInterceptor(LodeOptions options, AuthMetrics metrics, TimeProvider time, ILogger<AuthInterceptor> logger)
    {
        this.options = options.Auth;
        this.metrics = metrics;
        validator = string.IsNullOrEmpty(this.options.Token) ? null : new TokenValidator(this.options.Token, time);
        enforced = this.options.Transitioning ? "false" : "true";
        if (validator is not null && this.options.Transitioning)
        {
            LogTransitioning(logger);
        }
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authenticate(ServerCallContext context)
    {
        if (validator is null)
        {
            metrics.Authentications.WithLabels(enforced, "server disabled authentication").Inc();
            return;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        var result = validator.Check(header, out var error);
        if (error is not null)
        {
            metrics.Errors.WithLabels("v2", error).Inc();
        }

        switch (result)
        {
            case TokenCheck.Ok:
                metrics.Authentications.WithLabels(enforced, options.Transitioning ? "would be ok" : "ok").Inc();
                CallState.Get(context)?.SetAuthVersion("v2");
                return;
            case TokenCheck.Unauthenticated:
                metrics.Authentications.WithLabels(enforced, "unauthenticated").Inc();
                if (!options.Transitioning)
                {
                    throw new RpcException(new Status(StatusCode.Unauthenticated, "authentication required"));
                }

                return;
            default:
                metrics.Authentications.WithLabels(enforced, "denied").Inc();
                if (!options.Transitioning)
                {
                    throw new RpcException(new Status(StatusCode.PermissionDenied, "permission denied"));
                }

                return;
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "authentication is in transitioning mode: requests with a missing or wrong token are admitted")]
    private static partial void LogTransitioning(ILogger logger);
}
