namespace Lode.Yamux.Tests;

public enum TransportKind
{
    Tcp,
    Unix,
    Memory,

    /// <summary>In-memory, with every read cut to a random 1..97 bytes.</summary>
    ChunkedMemory,
}
