using Gitaly;
using Lode.Git.Commands;
using Lode.Server.Hooks;
using Lode.Server.Repositories;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Services.Repository;

/// <summary>RepositoryService: repository lifecycle, facts about a repository, and whole-repository reads.</summary>
internal sealed partial class RepositoryServiceImpl(
    RepositoryResolver resolver,
    GitCommandFactory git,
    ObjectReaders objects,
    TimeProvider time,
    HookSetup hooks,
    Lfs.LfsSmudgeSetup lfs,
    ILogger<RepositoryServiceImpl> logger) : RepositoryService.RepositoryServiceBase;
