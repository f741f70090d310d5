using System.Diagnostics;
using Lode.TestKit;

namespace Lode.Git.Tests.CatFile;

/// <summary>
/// A loose object path that is a FIFO with no writer: git's open() of it blocks forever. This makes "git is busy
/// answering" deterministic, so cancellation mid-request can be tested without timing races.
/// </summary>
internal static class BlockingObject
{
    /// <summary>Creates the FIFO and returns the object id whose lookup blocks.</summary>
    public static async Task<string> CreateAsync(TestRepo repo)
    {
        var oid = new string('1', repo.HexLength);
        var dir = Directory.CreateDirectory(Path.Combine(repo.Path, "objects", oid[..2])).FullName;
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [Path.Combine(dir, oid[2..])]) { UseShellExecute = false })!;
        await mkfifo.WaitForExitAsync();
        Assert.Equal(0, mkfifo.ExitCode);
        return oid;
    }
}
