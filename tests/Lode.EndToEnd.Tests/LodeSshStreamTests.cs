using Lode.TestKit;

namespace Lode.EndToEnd.Tests;

/// <summary>The transport scenarios through <c>lode ssh</c> on plain bidi streams (no sidechannel), over the unix socket.</summary>
public sealed class LodeSshStreamTests(EndToEndFixture server) : TransportScenarios(server), IClassFixture<EndToEndFixture>
{
    protected override string Remote(TestRepo repo) => "ssh://lode.invalid/" + repo.RelativePath;

    protected override IReadOnlyDictionary<string, string> Env => new Dictionary<string, string>
    {
        ["GIT_SSH_COMMAND"] = EndToEndFixture.LodeCommand + " ssh",
        ["GITALY_ADDRESS"] = "unix:" + Server.Endpoints.UnixSocket,
        ["GITALY_TOKEN"] = EndToEndFixture.Token,
    };
}
