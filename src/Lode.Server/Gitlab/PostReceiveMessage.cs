namespace Lode.Server.Gitlab;

/// <summary>A message for the pusher: <c>basic</c> (printed as is) or <c>alert</c> (framed and centred).</summary>
public sealed record PostReceiveMessage(string Message, string Type);
