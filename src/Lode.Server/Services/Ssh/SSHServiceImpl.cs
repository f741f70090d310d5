using Gitaly;
using Lode.Server.GitTransport;
using Lode.Server.Metrics;
using Lode.Server.Repositories;

namespace Lode.Server.Services.Ssh;

/// <summary>
/// SSHService: git over SSH as gitlab-shell relays it (spec §6.6). Interactive git commands run by
/// <see cref="TransportRunner"/>; fetches and archives are held to the negotiation deadlines of <c>[timeout]</c>.
/// </summary>
internal sealed partial class SSHServiceImpl(RepositoryResolver resolver, TransportRunner transport, GitProtocolMetrics protocolMetrics)
    : SSHService.SSHServiceBase;
