using Lode.Core.Configuration;

namespace Lode.Core.Tests.Configuration;

/// <summary>
/// LODE_AUTH_TOKEN and LODE_LISTEN_ADDR override the file. These tests change the process environment, so they run
/// in a collection that is never run in parallel with the others.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed class EnvironmentOverrideTests
{
    [Fact]
    public void Load_EnvironmentSet_OverridesFileTokenAndListenAddr()
    {
        var result = WithEnvironment("env-token", "127.0.0.1:7777", () => ConfigLoader.Load("""
            listen_addr = 'localhost:8075'
            [auth]
            token = 'file-token'
            transitioning = true
            """));

        Assert.Equal("env-token", result.Options.Auth.Token);
        Assert.True(result.Options.Auth.Transitioning);
        Assert.Equal("127.0.0.1:7777", result.Options.ListenAddr);
    }

    [Fact]
    public void Load_EnvironmentEmpty_FileWins()
    {
        var result = WithEnvironment("", "", () => ConfigLoader.Load("listen_addr = 'localhost:8075'\n[auth]\ntoken = 'file-token'"));

        Assert.Equal("file-token", result.Options.Auth.Token);
        Assert.Equal("localhost:8075", result.Options.ListenAddr);
    }

    [Fact]
    public void ApplyEnvironment_Token_KeepsOtherAuthSettings()
    {
        var options = new LodeOptions { Auth = new AuthOptions { Token = "a", Transitioning = true } };

        var result = WithEnvironment("b", null, () => ConfigLoader.ApplyEnvironment(options));

        Assert.Equal(new AuthOptions { Token = "b", Transitioning = true }, result.Auth);
        Assert.Null(result.ListenAddr);
    }

    private static T WithEnvironment<T>(string? token, string? listen, Func<T> action)
    {
        var oldToken = Environment.GetEnvironmentVariable("LODE_AUTH_TOKEN");
        var oldListen = Environment.GetEnvironmentVariable("LODE_LISTEN_ADDR");
        try
        {
            Environment.SetEnvironmentVariable("LODE_AUTH_TOKEN", token);
            Environment.SetEnvironmentVariable("LODE_LISTEN_ADDR", listen);
            return action();
        }
        finally
        {
            Environment.SetEnvironmentVariable("LODE_AUTH_TOKEN", oldToken);
            Environment.SetEnvironmentVariable("LODE_LISTEN_ADDR", oldListen);
        }
    }
}
