using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;

namespace Lode.Git.Objects;

/// <summary>
/// A pack's version-2 <c>.idx</c> file, mapped read-only, answering "is this object in the pack?" without git: the
/// 256-entry fan-out table narrows the sorted object ids to the ones sharing a first byte, then a binary search.
/// Only presence is read; offsets and CRCs are not needed for that. The search reads the map through a pointer held
/// for the index's lifetime: a bounds-checked read per probe costs more than the search itself.
/// </summary>
internal sealed unsafe class PackIndex : IDisposable
{
    private const int HeaderLength = 8;
    private const int FanoutLength = 256 * 4;
    private static ReadOnlySpan<byte> Magic => [0xff, (byte)'t', (byte)'O', (byte)'c', 0, 0, 0, 2];

    private readonly MemoryMappedFile file;
    private readonly MemoryMappedViewAccessor view;
    private readonly uint[] fanout = new uint[256];
    private readonly int rawLength;
    private readonly long length;
    private byte* start;

    private PackIndex(MemoryMappedFile file, MemoryMappedViewAccessor view, int rawLength, long length)
    {
        this.file = file;
        this.view = view;
        this.rawLength = rawLength;
        this.length = length;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        start += view.PointerOffset;
    }

    /// <summary>
    /// Maps <paramref name="path"/>; null when it is not a version-2 index for ids of <paramref name="rawLength"/>
    /// bytes, or is shorter than its own fan-out says (a file still being written, or a damaged one).
    /// </summary>
    public static PackIndex? Open(string path, int rawLength)
    {
        var length = new FileInfo(path).Length;
        if (length < HeaderLength + FanoutLength)
        {
            return null;
        }

        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        var index = new PackIndex(file, view, rawLength, length);
        if (!index.ReadHeader())
        {
            index.Dispose();
            return null;
        }

        return index;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Contains(ReadOnlySpan<byte> oid)
    {
        var first = oid[0];
        var low = first == 0 ? 0u : fanout[first - 1];
        var high = fanout[first];
        var ids = start + HeaderLength + FanoutLength;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            var order = new ReadOnlySpan<byte>(ids + ((long)middle * rawLength), rawLength).SequenceCompareTo(oid);
            if (order == 0)
            {
                return true;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return false;
    }

    public void Dispose()
    {
        if (start != null)
        {
            start = null;
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }

        view.Dispose();
        file.Dispose();
    }

    private bool ReadHeader()
    {
        var header = new ReadOnlySpan<byte>(start, HeaderLength + FanoutLength);
        if (!header[..HeaderLength].SequenceEqual(Magic))
        {
            return false;
        }

        var previous = 0u;
        for (var i = 0; i < 256; i++)
        {
            var count = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(HeaderLength + (i * 4), 4));
            if (count < previous)
            {
                return false;
            }

            fanout[i] = count;
            previous = count;
        }

        // Ids, CRCs and 4-byte offsets for every object, then the pack's and the index's own checksums.
        return length >= HeaderLength + FanoutLength + ((long)previous * (rawLength + 8)) + (2L * rawLength);
    }
}
