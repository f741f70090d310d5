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
        Repository? repo = null;
        if (state.Method?.TargetRepositoryField is { } field && state.Request is not null)
        {
            repo = field.Accessor.GetValue(state.Request) as Repository;
        }

        Dictionary<string, string>? errorMetadata = null;
        if (code != StatusCode.OK && state.Error is LodeException lode)
        {
            foreach (var (key, value) in lode.AllMetadata())
            {
                (errorMetadata ??= new Dictionary<string, string>(StringComparer.Ordinal)).TryAdd(key, value);
            }
        }

        var commands = state.Commands;
        return new AccessLogEntry(FinishedMessage(grpcType, code, codeName))
        {
            CorrelationId = state.CorrelationId,
            Service = state.Method?.Service ?? ServiceOf(state.FullMethod),
            Method = state.Method?.Method ?? MethodOf(state.FullMethod),
            Code = codeName,
            TimeMs = Math.Round(elapsed.TotalMilliseconds, 3),
            StartTime = state.StartTime.UtcDateTime,
            Deadline = context.Deadline != DateTime.MaxValue ? context.Deadline : null,
            ClientName = ClientName(headers),
            DeadlineType = deadlineType,
            MethodType = grpcType,
            MethodOperation = Operation(state.Method),
            MethodScope = Scope(state.Method),
            FullMethod = state.FullMethod,
            RepoStorage = repo?.StorageName,
            RepoPath = repo?.RelativePath,
            GlRepository = repo?.GlRepository,
            GlProjectPath = repo?.GlProjectPath,
            RequestPayloadBytes = state.Request is not null && grpcType is "unary" or "server_stream" ? state.Request.CalculateSize() : null,
            ResponsePayloadBytes = grpcType == "unary" && code == StatusCode.OK ? state.ResponseBytes : null,
            RemoteIp = headers.GetValue("remote_ip") ?? context.Peer,
            UserId = headers.GetValue("user_id"),
            Username = headers.GetValue("username"),
            FeatureFlags = FeatureFlags(headers),
            Error = code != StatusCode.OK ? state.Error?.Message ?? codeName : null,
            ErrorMetadata = errorMetadata,
            CommandCount = commands.Count > 0 ? commands.Count : null,
            CommandRealTimeMs = commands.Count > 0 ? Math.Round(commands.RealTime.TotalMilliseconds, 3) : null,
        };
    }

    /// <summary>go-grpc-middleware's message, built once per (kind, code).</summary>
    private static string FinishedMessage(string grpcType, StatusCode code, string codeName)
    {
        var unary = grpcType == "unary";
        var index = (int)code;
        if ((uint)index >= (uint)UnaryMessages.Length)
        {
            return (unary ? "finished unary call with code " : "finished streaming call with code ") + codeName;
        }

        var cache = unary ? UnaryMessages : StreamingMessages;
        return cache[index] ??= (unary ? "finished unary call with code " : "finished streaming call with code ") + codeName;
    }

    private static readonly string?[] UnaryMessages = new string?[17];
    private static readonly string?[] StreamingMessages = new string?[17];

    /// <summary>Whether calls of a method are logged; decided once per method, not per call.</summary>
    private bool ShouldLog(string fullMethod) => logDecisions.GetOrAdd(fullMethod, static (method, self) =>
        self.allowPattern is not null ? self.allowPattern.IsMatch(method) : self.denyPattern is null || !self.denyPattern.IsMatch(method), this);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> logDecisions = new(StringComparer.Ordinal);

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
