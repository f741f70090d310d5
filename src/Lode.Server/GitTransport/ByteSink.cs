namespace Lode.Server.GitTransport;

/// <summary>
/// Where a git child's output goes: a gRPC response stream, a sidechannel, an HTTP response. The data is only valid
/// during the call; the sink must have sent or copied it before its task completes.
/// </summary>
public delegate ValueTask ByteSink(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
