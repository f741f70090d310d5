using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Lode.Git.Commands;
using Lode.Server.OpTypes;

namespace Lode.Server.Interceptors;

/// <summary>
/// What the pipeline learns about one call while it runs: who called, what it asked for, what it cost, and how it
/// ended. Kept in <see cref="ServerCallContext.UserState"/>; read by the access log and the metrics at the end.
/// </summary>
internal sealed class CallState
{
    private static readonly object Key = typeof(CallState);

    private CallState(ServerCallContext context, MethodInfo? method, string fullMethod)
    {
        Context = context;
        Method = method;
        FullMethod = fullMethod;
        StartTime = DateTimeOffset.UtcNow;
        StartTimestamp = Stopwatch.GetTimestamp();
        CorrelationId = context.RequestHeaders.GetValue("x-gitlab-correlation-id") is { Length: > 0 } id ? id : NewCorrelationId();
        Commands = CommandStats.Begin();
    }

    public ServerCallContext Context { get; }

    public MethodInfo? Method { get; }

    public string FullMethod { get; }

    public DateTimeOffset StartTime { get; }

    public long StartTimestamp { get; }

    public string CorrelationId { get; }

    public CommandStats Commands { get; }

    /// <summary>This RPC's cached metric series.</summary>
    public Metrics.MethodMetrics? Metrics { get; set; }

    /// <summary>The request, or the first message of a client stream (which carries the repository header).</summary>
    public IMessage? Request { get; set; }

    public string AuthVersion { get; private set; } = "unauthenticated";

    /// <summary>The original failure, for the access log's error and error_metadata fields.</summary>
    public Exception? Error { get; set; }

    public long RequestBytes { get; set; }

    public long ResponseBytes { get; set; }

    public static CallState Begin(ServerCallContext context, MethodTable table)
    {
        var state = new CallState(context, table.Find(context.Method), context.Method);
        context.UserState[Key] = state;
        return state;
    }

    public static CallState? Get(ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var value) ? value as CallState : null;

    public void SetAuthVersion(string version) => AuthVersion = version;

    /// <summary>A random id in the same shape labkit uses, when the client sent none.</summary>
    private static string NewCorrelationId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..26].ToUpperInvariant();
}
