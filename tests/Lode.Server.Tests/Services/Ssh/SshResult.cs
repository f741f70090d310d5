using Grpc.Core;

namespace Lode.Server.Tests.Services.Ssh;

/// <summary>What an SSH RPC sent back: its output streams, every exit status, and the error it ended with.</summary>
internal sealed record SshResult(byte[] Stdout, byte[] Stderr, List<int> ExitStatuses, RpcException? Error);
