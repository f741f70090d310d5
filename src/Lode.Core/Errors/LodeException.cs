namespace Lode.Core.Errors;

/// <summary>
/// An error with the status code Gitaly would answer. The message is short and fixed; variable data goes
/// in <see cref="Metadata"/>, which is logged but never sent to the client.
/// </summary>
/// <remarks>
/// Wrapping keeps the innermost code, as Gitaly's structerr does: <c>Wrap("running upload-pack", inner)</c>
/// answers with inner's code and the message "running upload-pack: &lt;inner message&gt;". Clients branch on
/// codes, so letting an outer layer replace the code would change behaviour.
/// </remarks>
public class LodeException : Exception
{
    private readonly ErrorCode code;
    private readonly List<KeyValuePair<string, string>> metadata = [];

    public LodeException(ErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        this.code = code;
    }

    /// <summary>The effective code: the innermost <see cref="LodeException"/>'s code wins.</summary>
    public ErrorCode Code => InnerException is LodeException inner ? inner.Code : code;

    /// <summary>Key/value pairs for the log (error_metadata), never sent on the wire.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata => metadata;

    /// <summary>Metadata of this error and every wrapped one, outermost first.</summary>
    public IEnumerable<KeyValuePair<string, string>> AllMetadata()
    {
        for (Exception? e = this; e is not null; e = e.InnerException)
        {
            if (e is LodeException le)
            {
                foreach (var pair in le.metadata)
                {
                    yield return pair;
                }
            }
        }
    }

    public LodeException With(string key, string value)
    {
        metadata.Add(new(key, value));
        return this;
    }

    /// <summary>Wraps an error under a prefix, keeping the inner code (or Internal for a non-Lode error).</summary>
    public static LodeException Wrap(string prefix, Exception inner) => inner switch
    {
        LodeException le => new LodeException(le.Code, prefix + ": " + le.Message, le),
        _ => new LodeException(ErrorCode.Internal, prefix + ": " + inner.Message, inner),
    };

    public static LodeException InvalidArgument(string message) => new(ErrorCode.InvalidArgument, message);

    public static LodeException NotFound(string message) => new(ErrorCode.NotFound, message);

    public static LodeException FailedPrecondition(string message) => new(ErrorCode.FailedPrecondition, message);

    public static LodeException Internal(string message) => new(ErrorCode.Internal, message);

    public static LodeException AlreadyExists(string message) => new(ErrorCode.AlreadyExists, message);
}
