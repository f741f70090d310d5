using Gitaly;

namespace Lode.Server.Services.InternalGitaly;

/// <summary>InternalGitaly: storage-wide walks used by the cluster. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class InternalGitalyImpl : Gitaly.InternalGitaly.InternalGitalyBase;
