using Gitaly;
using Lode.Server.GitTransport;
using Lode.Server.Metrics;
using Lode.Server.Repositories;

namespace Lode.Server.Services.SmartHttp;

/// <summary>
/// SmartHTTPService: git's smart HTTP protocol as Workhorse relays it (spec §6.2–§6.5). The git work is done by
/// <see cref="TransportRunner"/>, which the smart HTTP front door shares.
/// </summary>
internal sealed partial class SmartHTTPServiceImpl(RepositoryResolver resolver, TransportRunner transport, GitProtocolMetrics protocolMetrics)
    : SmartHTTPService.SmartHTTPServiceBase;
