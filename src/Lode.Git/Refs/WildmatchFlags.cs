namespace Lode.Git.Refs;

/// <summary>git's <c>WM_*</c> flags for <see cref="Wildmatch"/>.</summary>
[Flags]
public enum WildmatchFlags
{
    None = 0,

    /// <summary><c>WM_CASEFOLD</c>: ASCII letters match regardless of case.</summary>
    CaseFold = 1,

    /// <summary><c>WM_PATHNAME</c>: '*' and '?' do not match '/', "**" does.</summary>
    PathName = 2,
}
