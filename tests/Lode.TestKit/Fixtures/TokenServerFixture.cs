using Lode.Core.Configuration;

namespace Lode.TestKit.Fixtures;

/// <summary>A server that enforces the shared token <see cref="Token"/>.</summary>
public class TokenServerFixture : ServerFixture
{
    public const string Token = "the-shared-secret";

    protected override LodeOptions Configure(LodeOptions options) => options with { Auth = new AuthOptions { Token = Token } };
}
