namespace Lode.Server.Gitlab;

/// <summary>The answer of <c>/post_receive</c>: whether the counter went down, and messages to print to the pusher.</summary>
public sealed record PostReceiveResult(bool ReferenceCounterDecreased, IReadOnlyList<PostReceiveMessage> Messages);
