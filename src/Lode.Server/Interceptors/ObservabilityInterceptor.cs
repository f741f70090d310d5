using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Lode.Core.Errors;
using Lode.Server.Logging;
using Lode.Server.Metrics;
using Lode.Server.OpTypes;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Interceptors;

/// <summary>
/// The outermost stage of every call: correlation id, the <c>grpc_server_*</c> metrics and the one access-log
/// line per RPC with Gitaly's field names (spec §11). It sees the final status, after error mapping and auth.
/// </summary>
internal sealed class ObservabilityInterceptor : Interceptor
{
    private readonly MethodTable methods;
    private readonly GrpcServerMetrics metrics;
    private readonly ILogger logger;
    private readonly Regex? denyPattern;
    private readonly Regex? allowPattern;

    public ObservabilityInterceptor(MethodTable methods, GrpcServerMetrics metrics, ILoggerFactory loggerFactory)
    {
        this.methods = methods;
        this.metrics = metrics;
        logger = loggerFactory.CreateLogger("Lode.AccessLog");

        // As Gitaly: health checks are not logged unless the operator asks for them.
        var deny = Environment.GetEnvironmentVariable("GITALY_LOG_REQUEST_METHOD_DENY_PATTERN") ?? "^/grpc.health.v1.Health/Check$";
        var allow = Environment.GetEnvironmentVariable("GITALY_LOG_REQUEST_METHOD_ALLOW_PATTERN");
        denyPattern = deny.Length > 0 ? new Regex(deny, RegexOptions.CultureInvariant) : null;
        allowPattern = string.IsNullOrEmpty(allow) ? null : new Regex(allow, RegexOptions.CultureInvariant);
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var state = Begin(context, "unary", request as IMessage);
        try
        {
            var response = await continuation(request, context);
            state.Metrics!.MessagesSent.Inc();
            state.ResponseBytes = (response as IMessage)?.CalculateSize() ?? 0;
            End(state, "unary", StatusCode.OK);
            return response;
        }
        catch (RpcException e)
        {
            End(state, "unary", e.StatusCode);
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var state = Begin(context, "client_stream", null);
        var reader = new ObservedStreamReader<TRequest>(requestStream, state, state.Metrics!.MessagesReceived);
        try
        {
            var response = await continuation(reader, context);
            state.Metrics.MessagesSent.Inc();
            End(state, "client_stream", StatusCode.OK);
            return response;
        }
        catch (RpcException e)
        {
            End(state, "client_stream", e.StatusCode);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var state = Begin(context, "server_stream", request as IMessage);
        var writer = new ObservedStreamWriter<TResponse>(responseStream, state.Metrics!.MessagesSent);
        try
        {
            await continuation(request, writer, context);
            End(state, "server_stream", StatusCode.OK);
        }
        catch (RpcException e)
        {
            End(state, "server_stream", e.StatusCode);
            throw;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var state = Begin(context, "bidi_stream", null);
        var reader = new ObservedStreamReader<TRequest>(requestStream, state, state.Metrics!.MessagesReceived);
        var writer = new ObservedStreamWriter<TResponse>(responseStream, state.Metrics.MessagesSent);
        try
        {
            await continuation(reader, writer, context);
            End(state, "bidi_stream", StatusCode.OK);
        }
        catch (RpcException e)
        {
            End(state, "bidi_stream", e.StatusCode);
            throw;
        }
    }

    private CallState Begin(ServerCallContext context, string grpcType, IMessage? request)
    {
        var state = CallState.Begin(context, methods);
        state.Request = request;
        state.Metrics = metrics.For(grpcType, state.Method?.Service ?? ServiceOf(state.FullMethod), state.Method?.Method ?? MethodOf(state.FullMethod), state.FullMethod);
        if (request is not null)
        {
            state.Metrics.MessagesReceived.Inc();
        }

        state.Metrics.Started.Inc();
        return state;
    }

    private void End(CallState state, string grpcType, StatusCode code)
    {
        var elapsed = Stopwatch.GetElapsedTime(state.StartTimestamp);
        var codeName = GrpcServerMetrics.CodeName(code);
        var methodMetrics = state.Metrics!;
        methodMetrics.Handled(code).Inc();
        methodMetrics.HandlingSeconds.Observe(elapsed.TotalSeconds);

        var headers = state.Context.RequestHeaders;
        var deadlineType = DeadlineType(state.Context);
        methodMetrics.ClientRequests(ClientName(headers), headers.GetValue("call_site") ?? "", state.AuthVersion, code, deadlineType,
            Operation(state.Method), Scope(state.Method)).Inc();

        if (!ShouldLog(state.FullMethod))
        {
            return;
        }

        var level = LevelFor(code);
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var entry = BuildEntry(state, grpcType, code, codeName, elapsed, deadlineType);
        logger.Log(level, LogEvents.AccessLog, entry, null, static (e, _) => e.Message);
    }

    private static AccessLogEntry BuildEntry(CallState state, string grpcType, StatusCode code, string codeName, TimeSpan elapsed, string deadlineType)
    {
        var context = state.Context;
        var headers = context.RequestHeaders;
        var entry = new AccessLogEntry(grpcType == "unary"
            ? "finished unary call with code " + codeName
            : "finished streaming call with code " + codeName);

        entry.Add("correlation_id", state.CorrelationId);
        entry.Add("grpc.service", state.Method?.Service ?? ServiceOf(state.FullMethod));
        entry.Add("grpc.method", state.Method?.Method ?? MethodOf(state.FullMethod));
        entry.Add("grpc.code", codeName);
        entry.Add("grpc.time_ms", Math.Round(elapsed.TotalMilliseconds, 3));
        entry.Add("grpc.start_time", state.StartTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        if (context.Deadline != DateTime.MaxValue)
        {
            entry.Add("grpc.request.deadline", context.Deadline.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        }

        entry.Add("grpc.meta.client_name", ClientName(headers));
        entry.Add("grpc.meta.deadline_type", deadlineType);
        entry.Add("grpc.meta.method_type", grpcType);
        entry.Add("grpc.meta.method_operation", Operation(state.Method));
        entry.Add("grpc.meta.method_scope", Scope(state.Method));
        entry.Add("grpc.request.fullMethod", state.FullMethod);
        if (state.Method?.TargetRepositoryField is { } field && state.Request is not null &&
            field.Accessor.GetValue(state.Request) is Repository repo)
        {
            entry.Add("grpc.request.repoStorage", repo.StorageName);
            entry.Add("grpc.request.repoPath", repo.RelativePath);
            entry.Add("grpc.request.glRepository", repo.GlRepository);
            entry.Add("grpc.request.glProjectPath", repo.GlProjectPath);
        }

        if (state.Request is not null && grpcType is "unary" or "server_stream")
        {
            entry.Add("grpc.request.payload_bytes", state.Request.CalculateSize());
        }

        if (grpcType == "unary" && code == StatusCode.OK)
        {
            entry.Add("grpc.response.payload_bytes", state.ResponseBytes);
        }

        entry.Add("remote_ip", headers.GetValue("remote_ip") ?? context.Peer);
        entry.Add("user_id", headers.GetValue("user_id"));
        entry.Add("username", headers.GetValue("username"));
        entry.Add("feature_flags", FeatureFlags(headers));
        entry.Add("span.kind", "server");
        entry.Add("system", "grpc");
        if (code != StatusCode.OK)
        {
            entry.Add("error", state.Error?.Message ?? codeName);
            if (state.Error is LodeException lode)
            {
                var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (key, value) in lode.AllMetadata())
                {
                    metadata.TryAdd(key, value);
                }

                if (metadata.Count > 0)
                {
                    entry.Add("error_metadata", metadata);
                }
            }
        }

        var commands = state.Commands;
        if (commands.Count > 0)
        {
            entry.Add("command.count", commands.Count);
            entry.Add("command.real_time_ms", Math.Round(commands.RealTime.TotalMilliseconds, 3));
        }

        return entry;
    }

    private bool ShouldLog(string fullMethod)
    {
        if (allowPattern is not null)
        {
            return allowPattern.IsMatch(fullMethod);
        }

        return denyPattern is null || !denyPattern.IsMatch(fullMethod);
    }

    /// <summary>go-grpc-middleware's default levels: client mistakes at info, trouble at warning, bugs at error.</summary>
    private static LogLevel LevelFor(StatusCode code) => code switch
    {
        StatusCode.OK or StatusCode.Cancelled or StatusCode.InvalidArgument or StatusCode.NotFound or
            StatusCode.AlreadyExists or StatusCode.Unauthenticated => LogLevel.Information,
        StatusCode.DeadlineExceeded or StatusCode.PermissionDenied or StatusCode.ResourceExhausted or
            StatusCode.FailedPrecondition or StatusCode.Aborted or StatusCode.OutOfRange or StatusCode.Unavailable => LogLevel.Warning,
        _ => LogLevel.Error,
    };

    private static string ServiceOf(string fullMethod)
    {
        var slash = fullMethod.LastIndexOf('/');
        return slash > 1 ? fullMethod[1..slash] : fullMethod;
    }

    private static string MethodOf(string fullMethod) => fullMethod[(fullMethod.LastIndexOf('/') + 1)..];

    private static string ClientName(Metadata headers) =>
        headers.GetValue("client_name") ?? headers.GetValue("x-gitlab-client-name") ?? "";

    private static string DeadlineType(ServerCallContext context) =>
        context.Deadline == DateTime.MaxValue ? "none" : context.RequestHeaders.GetValue("deadline_type") ?? "regular";

    private static string Operation(MethodInfo? method) => method?.Operation switch
    {
        OperationKind.Mutator => "mutator",
        OperationKind.Accessor => "accessor",
        OperationKind.Maintenance => "maintenance",
        _ => "unknown",
    };

    private static string Scope(MethodInfo? method) => method is null ? "unknown" : method.Scope switch
    {
        ScopeKind.Storage => "storage",
        ScopeKind.Partition => "partition",
        _ => "repository",
    };

    private static string? FeatureFlags(Metadata headers)
    {
        List<string>? flags = null;
        foreach (var entry in headers)
        {
            if (entry.Key.StartsWith("gitaly-feature-", StringComparison.Ordinal) && entry.Value == "true")
            {
                (flags ??= []).Add(entry.Key["gitaly-feature-".Length..]);
            }
        }

        return flags is null ? null : string.Join(',', flags);
    }
}
