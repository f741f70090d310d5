using Lode.Core.Configuration;

namespace Lode.Core.Tests.Configuration;

/// <summary>Lode's own <c>[lode.http]</c> smart HTTP listener: read from the file, held to the listener rules.</summary>
public sealed class LodeHttpConfigTests : IDisposable
{
    private readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Load_LodeHttpSection_ListenAddrReadAndNotReportedUnknown()
    {
        var loaded = ConfigLoader.Load("""
            listen_addr = "127.0.0.1:8075"

            [lode.http]
            listen_addr = "127.0.0.1:8080"

            [lode.limits]
            max_concurrent_spawns = 7
            """);

        Assert.Empty(loaded.Errors);
        Assert.Equal("127.0.0.1:8080", loaded.Options.Http.ListenAddr);
        Assert.Equal(7, loaded.Options.Limits.MaxConcurrentSpawns);
        Assert.Empty(loaded.UnknownKeys);
    }

    [Fact]
    public void Load_NoLodeHttpSection_FrontDoorOff() => Assert.Null(ConfigLoader.Load("listen_addr = \"127.0.0.1:8075\"").Options.Http.ListenAddr);

    [Fact]
    public void Validate_NonLoopbackWithoutToken_Refused()
    {
        var errors = ConfigValidator.Validate(Valid() with { Http = new LodeHttpOptions { ListenAddr = "0.0.0.0:8080" } });

        var error = Assert.Single(errors);
        Assert.Equal(["lode.http.listen_addr"], error.Key);
        Assert.StartsWith("refusing to listen on non-loopback address \"0.0.0.0:8080\" without an authentication token", error.Message);
    }

    [Fact]
    public void Validate_NonLoopbackWithToken_Accepted() =>
        Assert.Empty(ConfigValidator.Validate(Valid() with
        {
            Http = new LodeHttpOptions { ListenAddr = "0.0.0.0:8080" },
            Auth = new AuthOptions { Token = "secret" },
            ListenAddr = "0.0.0.0:8075",
        }));

    [Fact]
    public void Validate_BadAddress_Refused()
    {
        var error = Assert.Single(ConfigValidator.Validate(Valid() with { Http = new LodeHttpOptions { ListenAddr = "nope" } }));

        Assert.Equal("invalid address \"nope\": expected host:port", error.Message);
    }

    private LodeOptions Valid() => new()
    {
        ListenAddr = "127.0.0.1:8075",
        BinDir = temp.Dir("bin"),
        Storages = [new StorageOptions("default", temp.Dir("storages", "default"))],
    };
}
