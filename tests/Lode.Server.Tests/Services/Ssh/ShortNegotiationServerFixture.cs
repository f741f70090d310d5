using Lode.Core.Configuration;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Ssh;

/// <summary>A server whose negotiation deadlines (<c>[timeout]</c>) are one second, to see them expire.</summary>
public sealed class ShortNegotiationServerFixture : ServerFixture
{
    protected override LodeOptions Configure(LodeOptions options) => options with
    {
        Timeout = new TimeoutOptions { UploadPackNegotiation = TimeSpan.FromSeconds(1), UploadArchiveNegotiation = TimeSpan.FromSeconds(1) },
    };
}
