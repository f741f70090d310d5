using Gitaly;
using Lode.Git.Commands;
using Lode.Server.Hooks;
using Lode.Server.Repositories;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Services.Hook;

/// <summary>
/// HookService: what Lode's hooks executable calls back into over the internal socket (spec §8.3), one RPC per git
/// hook. The logic lives in <see cref="HookManager"/>, which server-side ref updates use directly; pack-objects runs
/// here, for upload-pack's pack-objects hook.
/// </summary>
internal sealed partial class HookServiceImpl(
    RepositoryResolver resolver,
    HookManager hooks,
    GitCommandFactory git,
    ILogger<HookServiceImpl> logger) : HookService.HookServiceBase;
