namespace Lode.Server.Hooks;

/// <summary>The transaction was stopped: the primary refused the change before voting ended.</summary>
public sealed class TransactionStoppedException() : Exception("transaction was stopped");
