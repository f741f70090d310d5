namespace Lode.Server.GitTransport;

/// <summary>How receive-pack ended: its exit code (null when it did not start), whether it only said the client hung up, a start failure, the stderr tail.</summary>
public sealed record ReceivePackOutcome(int? ExitCode, bool HungUp, Exception? StartError, string Stderr = "");
