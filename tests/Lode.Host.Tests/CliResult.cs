namespace Lode.Host.Tests;

/// <summary>How a short lode command ended.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr);
