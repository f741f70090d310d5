using Gitaly;

namespace Lode.Server.Services.Operation;

/// <summary>OperationService: user-facing writes that run hooks (branches, tags, merges, commits). RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class OperationServiceImpl : OperationService.OperationServiceBase;
