using Gitaly;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lode.Git.Housekeeping;
using static Gitaly.RepositoryInfoResponse.Types;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>On-disk facts about a repository (sizes, packs, commit-graph, bitmaps), read from its files without running git.</summary>
    public override Task<RepositoryInfoResponse> RepositoryInfo(RepositoryInfoRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var stats = RepositoryStats.Collect(paths.FullPath, paths.RelativePath, time, context.CancellationToken);
        return Task.FromResult(ToProto(stats));
    }

    private static RepositoryInfoResponse ToProto(RepositoryStatsInfo stats)
    {
        var objects = stats.Objects;
        var response = new RepositoryInfoResponse
        {
            Size = stats.Size,
            References = new ReferencesInfo
            {
                LooseCount = stats.References.LooseCount,
                PackedSize = stats.References.PackedSize,
                ReferenceBackend = stats.References.Backend == ReferenceBackend.Reftable
                    ? ReferencesInfo.Types.ReferenceBackend.Reftable
                    : ReferencesInfo.Types.ReferenceBackend.Files,
            },
            Objects = new ObjectsInfo
            {
                Size = objects.Size,
                RecentSize = objects.RecentSize,
                StaleSize = objects.StaleSize,
                KeepSize = objects.KeepSize,
                PackfileCount = objects.PackfileCount,
                ReverseIndexCount = objects.ReverseIndexCount,
                CruftCount = objects.CruftCount,
                KeepCount = objects.KeepCount,
                LooseObjectsCount = objects.LooseObjectsCount,
                StaleLooseObjectsCount = objects.StaleLooseObjectsCount,
                LooseObjectsGarbageCount = objects.LooseObjectsGarbageCount,
            },
            IsObjectPool = stats.IsObjectPool,
        };

        if (stats.CommitGraph is { } graph)
        {
            response.CommitGraph = new CommitGraphInfo
            {
                CommitGraphChainLength = graph.CommitGraphChainLength,
                HasBloomFilters = graph.HasBloomFilters,
                HasGenerationData = graph.HasGenerationData,
                HasGenerationDataOverflow = graph.HasGenerationDataOverflow,
            };
        }

        response.Bitmap = ToProto(stats.Bitmap);
        response.MultiPackIndexBitmap = ToProto(stats.MultiPackIndexBitmap);
        if (stats.MultiPackIndex is { } midx)
        {
            response.MultiPackIndex = new MultiPackIndexInfo
            {
                PackfileCount = midx.PackfileCount,
                Version = midx.Version,
                HasLargeOffsets = midx.HasLargeOffsets,
                HasBitmappedPacks = midx.HasBitmappedPacks,
                HasReverseIndex = midx.HasReverseIndex,
            };
        }

        if (stats.Alternates is { } alternates)
        {
            response.Alternates = new AlternatesInfo { LastModified = Timestamp.FromDateTimeOffset(alternates.LastModified) };
            response.Alternates.ObjectDirectories.AddRange(alternates.ObjectDirectories);
        }

        if (stats.LastFullRepack is { } lastFullRepack)
        {
            response.LastFullRepack = Timestamp.FromDateTimeOffset(lastFullRepack);
        }

        return response;
    }

    private static BitmapInfo? ToProto(BitmapStats? bitmap) => bitmap is null ? null : new BitmapInfo
    {
        HasHashCache = bitmap.HasHashCache,
        HasLookupTable = bitmap.HasLookupTable,
        Version = bitmap.Version,
    };
}
