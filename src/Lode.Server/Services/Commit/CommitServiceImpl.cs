using Gitaly;

namespace Lode.Server.Services.Commit;

/// <summary>CommitService: commits, trees and their history. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class CommitServiceImpl : CommitService.CommitServiceBase;
