using Gitaly;

namespace Lode.Server.Services.Analysis;

/// <summary>AnalysisService: heuristics about blob content, such as detecting generated files. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class AnalysisServiceImpl : AnalysisService.AnalysisServiceBase;
