using System.Buffers;

namespace Lode.Git.Housekeeping;

/// <summary>
/// The repository's commit-graph (gitformat-commit-graph(5)): either the monolithic
/// <c>objects/info/commit-graph</c> or a split chain listed in <c>objects/info/commit-graphs/commit-graph-chain</c>.
/// </summary>
/// <param name="CommitGraphChainLength">Files in the chain; 0 for a monolithic commit-graph.</param>
/// <param name="HasBloomFilters">Changed-path Bloom filters (BIDX and BDAT chunks).</param>
/// <param name="HasGenerationData">Corrected commit dates (GDA2 chunk).</param>
/// <param name="HasGenerationDataOverflow">Corrected-date offsets too large for 31 bits (GDO2 chunk).</param>
internal sealed record CommitGraphStats(
    ulong CommitGraphChainLength,
    bool HasBloomFilters,
    bool HasGenerationData,
    bool HasGenerationDataOverflow)
{
    private const string Kind = "commit-graph";
    private const int HeaderLength = 8; // "CGPH", version, hash version, chunk count, base graph count
    private const int ChunkCountOffset = 6;
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdef");
    private static readonly uint BloomIndexes = DataFileHeader.ChunkId("BIDX"u8);
    private static readonly uint BloomData = DataFileHeader.ChunkId("BDAT"u8);

    // Only the "2" chunks count, as in Gitaly: GDAT/GDOV were written by git 2.31-2.35 with wrong values and are
    // ignored by every git since 2.36, so a graph carrying only them has no usable generation data.
    private static readonly uint GenerationData = DataFileHeader.ChunkId("GDA2"u8);
    private static readonly uint GenerationDataOverflow = DataFileHeader.ChunkId("GDO2"u8);

    /// <summary>Reads the commit-graph below <paramref name="objectsPath"/>; null when the repository has none.</summary>
    public static CommitGraphStats? Read(string objectsPath)
    {
        var info = Path.Combine(objectsPath, "info");
        var graphsDirectory = Path.Combine(info, "commit-graphs");
        var chain = ReadChain(Path.Combine(graphsDirectory, "commit-graph-chain"));

        List<string> graphs;
        ulong chainLength;
        if (chain is not null)
        {
            // A chain wins over a leftover monolithic file: git reads the chain first as well.
            graphs = new List<string>(chain.Count);
            foreach (var id in chain)
            {
                // git names layers by their checksum; anything else in the chain file is not a path we should open.
                if (!id.AsSpan().ContainsAnyExcept(HexDigits))
                {
                    graphs.Add(Path.Combine(graphsDirectory, "graph-" + id + ".graph"));
                }
            }

            chainLength = (ulong)chain.Count;
        }
        else
        {
            var single = Path.Combine(info, "commit-graph");
            if (!File.Exists(single))
            {
                return null;
            }

            graphs = [single];
            chainLength = 0;
        }

        // Each layer of a chain is written with its own options, so a feature counts when any layer has it.
        bool bloom = false, generation = false, overflow = false;
        foreach (var graph in graphs)
        {
            var file = DataFileHeader.ReadChunkFile(graph, "CGPH"u8, HeaderLength, ChunkCountOffset, Kind);
            if (file is not { } contents)
            {
                continue; // replaced by a concurrent rewrite of the chain
            }

            var (header, chunkIds) = contents;
            if (header[4] != 1)
            {
                throw DataFileHeader.Invalid("repository info: unsupported commit-graph version", graph, Kind);
            }

            bloom |= Array.IndexOf(chunkIds, BloomIndexes) >= 0 && Array.IndexOf(chunkIds, BloomData) >= 0;
            generation |= Array.IndexOf(chunkIds, GenerationData) >= 0;
            overflow |= Array.IndexOf(chunkIds, GenerationDataOverflow) >= 0;
        }

        return new CommitGraphStats(chainLength, bloom, generation, overflow);
    }

    /// <summary>The graph ids listed in the chain file, or null when there is no chain file.</summary>
    private static List<string>? ReadChain(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (FileWalk.IsGone(e))
        {
            return null;
        }

        var ids = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var id = line.Trim();
            if (id.Length > 0)
            {
                ids.Add(id);
            }
        }

        return ids;
    }
}
