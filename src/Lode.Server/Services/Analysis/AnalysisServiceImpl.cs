using Gitaly;
using Lode.Server.Repositories;

namespace Lode.Server.Services.Analysis;

/// <summary>AnalysisService: heuristics about blob content, such as detecting generated files.</summary>
internal sealed partial class AnalysisServiceImpl(
    RepositoryResolver resolver,
    ObjectReaders objects) : AnalysisService.AnalysisServiceBase;
