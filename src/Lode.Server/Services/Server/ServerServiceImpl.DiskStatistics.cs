using Gitaly;
using Grpc.Core;
using Lode.Core.Storage;

namespace Lode.Server.Services.Server;

internal sealed partial class ServerServiceImpl
{
    public override Task<DiskStatisticsResponse> DiskStatistics(DiskStatisticsRequest request, ServerCallContext context)
    {
        var response = new DiskStatisticsResponse();
        foreach (var storage in options.Storages)
        {
            var status = new DiskStatisticsResponse.Types.StorageStatus { StorageName = storage.Name };
            try
            {
                (status.Available, status.Used) = StorageProbe.DiskUsage(storage.Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // As Gitaly: a storage that cannot be measured is reported with zeros rather than failing the call.
            }

            response.StorageStatuses.Add(status);
        }

        return Task.FromResult(response);
    }
}
