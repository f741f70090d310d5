using Gitaly;

namespace Lode.Server.Services.Conflicts;

/// <summary>ConflictsService: listing and resolving merge conflicts. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class ConflictsServiceImpl : ConflictsService.ConflictsServiceBase;
