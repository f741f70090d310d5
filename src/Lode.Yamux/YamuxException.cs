namespace Lode.Yamux;

/// <summary>
/// A yamux failure. It is an <see cref="IOException"/> so that code written against <see cref="Stream"/> (gRPC,
/// <c>CopyToAsync</c>) treats a reset or a dead session like any broken connection.
/// </summary>
public sealed class YamuxException : IOException
{
    public YamuxException(YamuxError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    public YamuxError Error { get; }
}
