using Grpc.Core;
using Grpc.Core.Interceptors;
using Lode.Core.Errors;
using Lode.Server.Errors;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Interceptors;

/// <summary>
/// Turns whatever a handler threw into the status the client sees (via <see cref="ErrorMapper"/>), and logs the
/// stack of unexpected failures here, on the server, where it belongs.
/// </summary>
internal sealed partial class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e)
        {
            throw Map(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e)
        {
            throw Map(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e)
        {
            throw Map(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e)
        {
            throw Map(e, context);
        }
    }

    private RpcException Map(Exception exception, ServerCallContext context)
    {
        if (exception is not RpcException and not LodeException && !context.CancellationToken.IsCancellationRequested)
        {
            LogUnexpected(logger, exception, context.Method);
        }

        var mapped = ErrorMapper.ToRpcException(exception, context);
        if (CallState.Get(context) is { } state)
        {
            state.Error = exception;
        }

        return mapped;
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "unexpected error in {grpc_method}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string grpc_method);
}
