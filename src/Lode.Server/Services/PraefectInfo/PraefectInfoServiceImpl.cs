using Gitaly;

namespace Lode.Server.Services.PraefectInfo;

/// <summary>PraefectInfoService: cluster metadata, answered by the router, not by a storage node. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class PraefectInfoServiceImpl : PraefectInfoService.PraefectInfoServiceBase;
