namespace Lode.Git.Licenses;

/// <summary>
/// What <see cref="LicenseFinder"/> found: a license with the file it is in, or only a license-looking
/// <see cref="Path"/> whose text matched nothing (<see cref="License"/> null), or nothing at all.
/// </summary>
public sealed record LicenseFinderResult(LicenseTemplate? License, float Confidence, string? Path)
{
    public static readonly LicenseFinderResult None = new(null, 0, null);
}
