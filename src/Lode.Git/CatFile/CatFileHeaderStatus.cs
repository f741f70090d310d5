namespace Lode.Git.CatFile;

/// <summary>The outcome a <c>cat-file</c> header line reports.</summary>
internal enum CatFileHeaderStatus : byte
{
    Found,

    /// <summary><c>&lt;name&gt; missing</c>: the revision does not resolve or the object is absent.</summary>
    Missing,

    /// <summary><c>&lt;name&gt; ambiguous</c>: a short id with several candidates.</summary>
    Ambiguous,
}
