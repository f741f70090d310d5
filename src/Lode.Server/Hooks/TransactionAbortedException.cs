namespace Lode.Server.Hooks;

/// <summary>The transaction's coordinator aborted it: the voters did not agree.</summary>
public sealed class TransactionAbortedException() : Exception("transaction was aborted");
