namespace Lode.Server.Auth;

/// <summary>The outcome of checking one request's token.</summary>
public enum TokenCheck
{
    /// <summary>A valid v2 token.</summary>
    Ok,

    /// <summary>Missing, not Bearer, or malformed: the client did not try to authenticate properly (UNAUTHENTICATED).</summary>
    Unauthenticated,

    /// <summary>Well-formed but wrong: bad version, HMAC, or timestamp (PERMISSION_DENIED).</summary>
    Denied,
}
