using Gitaly;

namespace Lode.Server.Services.Ref;

/// <summary>RefService: branches, tags and other references. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class RefServiceImpl : RefService.RefServiceBase;
