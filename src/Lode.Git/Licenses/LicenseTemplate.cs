namespace Lode.Git.Licenses;

/// <summary>One SPDX license of the embedded database: its identifier, full name, reference URL and text.</summary>
public sealed record LicenseTemplate(string Id, string Name, string Url, int TextIndex);
