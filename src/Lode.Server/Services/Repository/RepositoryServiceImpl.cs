using Gitaly;
using Lode.Git.Commands;
using Lode.Server.Repositories;

namespace Lode.Server.Services.Repository;

/// <summary>RepositoryService: repository lifecycle, facts about a repository, and whole-repository reads.</summary>
internal sealed partial class RepositoryServiceImpl(
    RepositoryResolver resolver,
    GitCommandFactory git,
    TimeProvider time) : RepositoryService.RepositoryServiceBase;
