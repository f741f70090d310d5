using Gitaly;

namespace Lode.Server.Services.Diff;

/// <summary>DiffService: diffs, patches and changed paths. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class DiffServiceImpl : DiffService.DiffServiceBase;
