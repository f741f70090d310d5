using Lode.Core.Errors;

namespace Lode.Server.Streaming;

/// <summary>
/// Gitaly's <c>lines.ErrInvalidPageToken</c>: a page token was given but no listed ref has that name. Each RPC
/// decides the final message and code (most answer INVALID_ARGUMENT "invalid page token: sending lines: …").
/// </summary>
public sealed class PageTokenNotFoundException() : LodeException(ErrorCode.InvalidArgument, "could not find page token");
