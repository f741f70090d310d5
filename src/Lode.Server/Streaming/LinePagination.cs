using System.Text;
using Gitaly;

namespace Lode.Server.Streaming;

/// <summary>
/// Gitaly's pagination of ref lists (<c>buildPaginationOpts</c>): without <c>PaginationParameter</c> everything is
/// sent; with it, <c>limit</c> is taken as is when it is zero or more (so an empty parameter sends nothing) and a
/// negative limit means no limit; a <c>page_token</c> is the full name of the last ref of the previous page.
/// </summary>
/// <param name="Limit">How many items to send at most.</param>
/// <param name="PageToken">The ref name to resume after; null when the list starts at the beginning.</param>
public sealed record LinePagination(int Limit, byte[]? PageToken)
{
    public static readonly LinePagination Unlimited = new(int.MaxValue, null);

    public static LinePagination FromProto(PaginationParameter? parameter)
    {
        if (parameter is null)
        {
            return Unlimited;
        }

        var limit = parameter.Limit >= 0 ? parameter.Limit : int.MaxValue;
        var token = parameter.PageToken.Length > 0 ? Encoding.UTF8.GetBytes(parameter.PageToken) : null;
        return new LinePagination(limit, token);
    }

    /// <summary>
    /// Whether <paramref name="line"/> is the page token's line: its part before the first NUL (the ref name)
    /// equals the token.
    /// </summary>
    public bool IsPageToken(ReadOnlySpan<byte> line)
    {
        if (PageToken is null)
        {
            return true;
        }

        var nul = line.IndexOf((byte)0);
        return (nul < 0 ? line : line[..nul]).SequenceEqual(PageToken);
    }
}
