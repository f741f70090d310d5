namespace Lode.EndToEnd.Tests;

/// <summary>The outcome of one git client run.</summary>
public sealed record GitRun(int ExitCode, string Stdout, string Stderr)
{
    public GitRun Check()
    {
        return ExitCode == 0 ? this : throw new InvalidOperationException($"git failed ({ExitCode}): {Stderr}");
    }
}
