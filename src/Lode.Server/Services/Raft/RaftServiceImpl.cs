using Gitaly;

namespace Lode.Server.Services.Raft;

/// <summary>RaftService: experimental Raft-based replication. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class RaftServiceImpl : RaftService.RaftServiceBase;
