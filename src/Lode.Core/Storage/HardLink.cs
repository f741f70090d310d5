using System.Runtime.InteropServices;

namespace Lode.Core.Storage;

/// <summary>
/// link(2), which .NET has no API for. Moving objects by hard link never replaces an object that is already in
/// place, which a rename would (git's own quarantine migration does the same).
/// </summary>
public static partial class HardLink
{
    private const int EExist = 17;

    /// <summary>
    /// Creates <paramref name="target"/> as a second name of <paramref name="source"/>. False when that is not
    /// possible; <paramref name="exists"/> tells whether the reason is that the target is already there.
    /// </summary>
    public static bool TryCreate(string source, string target, out bool exists)
    {
        if (Link(source, target) == 0)
        {
            exists = false;
            return true;
        }

        exists = Marshal.GetLastPInvokeError() == EExist;
        return false;
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Link(string oldPath, string newPath);
}
