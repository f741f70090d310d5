using Gitaly;

namespace Lode.Server.Services.ObjectPool;

/// <summary>ObjectPoolService: object pools shared between forks. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class ObjectPoolServiceImpl : ObjectPoolService.ObjectPoolServiceBase;
