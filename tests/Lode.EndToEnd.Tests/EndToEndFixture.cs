using Lode.Core.Configuration;
using Lode.TestKit;

namespace Lode.EndToEnd.Tests;

/// <summary>
/// A server with a token, its gRPC listeners (TCP and a unix socket) and the smart HTTP front door, for the real git
/// client to clone from and push to.
/// </summary>
public class EndToEndFixture : ServerFixture
{
    public const string Token = "end-to-end-secret";

    /// <summary>Base URL of the front door with credentials (any user name, the token as password).</summary>
    public string HttpBase => $"http://git:{Token}@{Endpoints.Http}/";

    /// <summary>Runs the lode executable built beside the tests (as git runs it for GIT_SSH_COMMAND).</summary>
    public static string LodeCommand => "dotnet " + Path.Combine(AppContext.BaseDirectory, "lode.dll");

    public string Url(TestRepo repo) => HttpBase + repo.RelativePath;

    protected override LodeOptions Configure(LodeOptions options) => options with
    {
        Auth = new AuthOptions { Token = Token },
        SocketPath = Root.Combine("lode.sock"),
        Http = new LodeHttpOptions { ListenAddr = "127.0.0.1:0" },
    };
}
