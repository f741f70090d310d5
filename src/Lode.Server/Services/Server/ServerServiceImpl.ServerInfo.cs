using Gitaly;
using Grpc.Core;
using Lode.Server.Hosting;
using Lode.Core.Storage;

namespace Lode.Server.Services.Server;

internal sealed partial class ServerServiceImpl
{
    public override Task<ServerInfoResponse> ServerInfo(ServerInfoRequest request, ServerCallContext context)
    {
        var response = new ServerInfoResponse
        {
            ServerVersion = ServerIdentity.ServerVersion,
            GitVersion = identity.GitVersion.Text,
        };

        foreach (var storage in options.Storages)
        {
            response.StorageStatuses.Add(new ServerInfoResponse.Types.StorageStatus
            {
                StorageName = storage.Name,
                Readable = StorageProbe.IsReadable(storage.Path),
                Writeable = StorageProbe.IsWriteable(storage.Path),
                FsType = StorageProbe.FilesystemType(storage.Path),
                FilesystemId = identity.FilesystemId(storage.Name),
                ReplicationFactor = 1,
            });
        }

        return Task.FromResult(response);
    }
}
