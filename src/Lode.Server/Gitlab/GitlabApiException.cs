namespace Lode.Server.Gitlab;

/// <summary>
/// A failed call to GitLab's internal API. The message is the one Gitaly reports (GitLab's own <c>message</c> for an
/// error answer, <c>Internal API unreachable</c> when GitLab could not be reached), since it ends up in front of the
/// pusher.
/// </summary>
public sealed class GitlabApiException(string message, Exception? innerException = null) : Exception(message, innerException);
