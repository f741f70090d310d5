using Gitaly;

namespace Lode.Server.Services.Hook;

/// <summary>HookService: what git hooks call back into over the internal socket. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class HookServiceImpl : HookService.HookServiceBase;
