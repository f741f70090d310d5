using Gitaly;
using Lode.Server.Repositories;

namespace Lode.Server.Services.Commit;

/// <summary>CommitService: commits, trees and their history. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class CommitServiceImpl(
    RepositoryResolver resolver,
    ObjectReaders objects) : CommitService.CommitServiceBase;
