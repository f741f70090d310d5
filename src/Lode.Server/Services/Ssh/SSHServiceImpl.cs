using Gitaly;

namespace Lode.Server.Services.Ssh;

/// <summary>SSHService: git over SSH as gitlab-shell relays it. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class SSHServiceImpl : SSHService.SSHServiceBase;
