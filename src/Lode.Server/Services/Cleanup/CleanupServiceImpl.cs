using Gitaly;

namespace Lode.Server.Services.Cleanup;

/// <summary>CleanupService: history rewriting (BFG object maps, redaction). RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class CleanupServiceImpl : CleanupService.CleanupServiceBase;
