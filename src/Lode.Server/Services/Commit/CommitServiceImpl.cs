using Gitaly;
using Lode.Git.Commands;
using Lode.Server.Repositories;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Services.Commit;

/// <summary>CommitService: commits, trees and their history. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class CommitServiceImpl(
    RepositoryResolver resolver,
    ObjectReaders objects,
    GitCommandFactory git,
    ILogger<CommitServiceImpl> logger) : CommitService.CommitServiceBase;
