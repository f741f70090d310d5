using Gitaly;
using Lode.Core.Configuration;
using Lode.Git.Commands;
using Lode.Server.Hosting;

namespace Lode.Server.Services.Server;

/// <summary>ServerService: versions, storage status and readiness, as GitLab's admin pages and health checks ask.</summary>
internal sealed partial class ServerServiceImpl(LodeOptions options, ServerIdentity identity, GitCommandFactory git)
    : ServerService.ServerServiceBase;
