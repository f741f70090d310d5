using Gitaly;

namespace Lode.Server.Services.RefTransaction;

/// <summary>RefTransaction: reference-update votes, answered by the router. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class RefTransactionImpl : Gitaly.RefTransaction.RefTransactionBase;
