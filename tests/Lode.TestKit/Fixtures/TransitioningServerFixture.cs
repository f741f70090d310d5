using Lode.Core.Configuration;

namespace Lode.TestKit.Fixtures;

/// <summary>A server with a token in transitioning mode: checks and counts, admits everyone.</summary>
public sealed class TransitioningServerFixture : ServerFixture
{
    public const string Token = "the-shared-secret";

    public override string? ClientToken => null;

    protected override LodeOptions Configure(LodeOptions options) =>
        options with { Auth = new AuthOptions { Token = Token, Transitioning = true } };
}
