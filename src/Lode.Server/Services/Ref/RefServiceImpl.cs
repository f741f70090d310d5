using Gitaly;
using Lode.Git.Commands;
using Lode.Server.Hooks;
using Lode.Server.Repositories;

namespace Lode.Server.Services.Ref;

/// <summary>RefService: branches, tags and other references.</summary>
internal sealed partial class RefServiceImpl(
    RepositoryResolver resolver,
    GitCommandFactory git,
    ObjectReaders objects,
    HookSetup hooks) : RefService.RefServiceBase;
