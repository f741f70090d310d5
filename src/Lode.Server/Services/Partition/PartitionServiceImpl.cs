using Gitaly;

namespace Lode.Server.Services.Partition;

/// <summary>PartitionService: write-ahead-log partitions. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class PartitionServiceImpl : PartitionService.PartitionServiceBase;
