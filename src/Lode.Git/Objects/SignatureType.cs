namespace Lode.Git.Objects;

/// <summary>The kind of signature on a commit or tag. Values equal Gitaly's <c>SignatureType</c> proto enum.</summary>
public enum SignatureType
{
    None = 0,
    Pgp = 1,
    X509 = 2,
    Ssh = 3,
}
