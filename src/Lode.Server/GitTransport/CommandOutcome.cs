using Lode.Core.Errors;

namespace Lode.Server.GitTransport;

/// <summary>How an SSH upload command ended: the exit status to report (null: none) and the error to answer with (null: success).</summary>
public sealed record CommandOutcome(int? ExitStatus, LodeException? Error);
