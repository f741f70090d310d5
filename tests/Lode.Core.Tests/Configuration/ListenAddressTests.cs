using System.Net;
using Lode.Core.Configuration;

namespace Lode.Core.Tests.Configuration;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("localhost:8075", "localhost", 8075)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("0.0.0.0:8075", "0.0.0.0", 8075)]
    [InlineData("[::1]:8075", "::1", 8075)]
    [InlineData("[::]:9999", "::", 9999)]
    [InlineData(":8075", "", 8075)]
    [InlineData("gitaly.internal:65535", "gitaly.internal", 65535)]
    public void TryParse_GoHostPort_ReturnsHostAndPort(string text, string host, int port)
    {
        Assert.True(ListenAddress.TryParse(text, out var address));
        Assert.Equal(new ListenAddress(host, port), address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("8075")]
    [InlineData("localhost")]
    [InlineData("localhost:")]
    [InlineData("localhost:port")]
    [InlineData("localhost:-1")]
    [InlineData("localhost:+1")]
    [InlineData("localhost:65536")]
    [InlineData("::1:8075")]
    [InlineData("[::1]")]
    [InlineData("tcp://localhost:8075")]
    [InlineData("localhost: 8075")]
    public void TryParse_NotHostPort_ReturnsFalse(string text)
    {
        Assert.False(ListenAddress.TryParse(text, out var address));
        Assert.Null(address);
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LocalHost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.1.2.3", true)]
    [InlineData("::1", true)]
    [InlineData("", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("example.com", false)]
    [InlineData("localhost.example.com", false)]
    public void IsLoopback_Host_OnlyTrueForThisMachine(string host, bool expected)
    {
        Assert.Equal(expected, new ListenAddress(host, 8075).IsLoopback);
    }

    [Theory]
    [InlineData("localhost:8075")]
    [InlineData("[::1]:8075")]
    [InlineData(":8075")]
    [InlineData("127.0.0.1:0")]
    public void ToString_Parsed_RoundTrips(string text)
    {
        Assert.True(ListenAddress.TryParse(text, out var address));
        Assert.Equal(text, address!.ToString());
    }

    [Fact]
    public void EndPoints_EmptyHost_BindsEveryInterface()
    {
        Assert.Equal([new IPEndPoint(IPAddress.IPv6Any, 8075)], new ListenAddress("", 8075).EndPoints());
    }

    [Fact]
    public void EndPoints_Localhost_BindsIPv4Loopback()
    {
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 8075)], new ListenAddress("localhost", 8075).EndPoints());
    }

    [Fact]
    public void EndPoints_IpLiteral_BindsThatAddress()
    {
        Assert.Equal([new IPEndPoint(IPAddress.IPv6Loopback, 1)], new ListenAddress("::1", 1).EndPoints());
    }
}
