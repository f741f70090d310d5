namespace Lode.Git.Housekeeping;

/// <summary>How a repository stores its references.</summary>
internal enum ReferenceBackend
{
    /// <summary>Loose files under <c>refs/</c> plus <c>packed-refs</c>.</summary>
    Files,

    /// <summary>The reftable format in <c>reftable/</c> (git 2.45+).</summary>
    Reftable,
}
