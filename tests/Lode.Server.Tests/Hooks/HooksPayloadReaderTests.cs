using System.Text;
using System.Text.Json;
using Lode.Server.Hooks;

namespace Lode.Server.Tests.Hooks;

/// <summary>The payload as the server writes it (JsonSerializer) read back field by field by the hooks' reader.</summary>
public sealed class HooksPayloadReaderTests
{
    [Fact]
    public void EveryField_WrittenBySerializer_ReadBack()
    {
        var written = new HooksPayload
        {
            RequestedHooks = (int)(RequestedHooks.PreReceive | RequestedHooks.PostReceive),
            FeatureFlagsWithValue =
            [
                new FeatureFlagValue { Flag = new FeatureFlag { Name = "some_flag", OnByDefault = true }, Enabled = false },
                new FeatureFlagValue { Flag = new FeatureFlag { Name = "other" }, Enabled = true },
            ],
            Repository = """{"storageName":"default","relativePath":"é/\"q\".git"}""",
            ObjectFormat = "sha256",
            RuntimeDir = "/run/lode",
            InternalSocket = "/run/lode/sock.d/intern",
            InternalSocketToken = "sëcret",
            Transaction = new HooksTransaction { BackchannelId = ulong.MaxValue, Id = 42, Node = "gitaly-1", Primary = true },
            UserDetails = new HooksUserDetails { Username = "root", UserId = "user-1", Protocol = "http", RemoteIp = "::1" },
            TransactionId = 7,
        };

        var read = HooksPayload.FromEnvironmentValue(written.ToEnvironmentValue());

        Assert.Equal(written.RequestedHooks, read.RequestedHooks);
        Assert.Equal(written.FeatureFlagsWithValue, read.FeatureFlagsWithValue);
        Assert.Equal(written.Repository, read.Repository);
        Assert.Equal(written.ObjectFormat, read.ObjectFormat);
        Assert.Equal(written.RuntimeDir, read.RuntimeDir);
        Assert.Equal(written.InternalSocket, read.InternalSocket);
        Assert.Equal(written.InternalSocketToken, read.InternalSocketToken);
        Assert.Equal(written.Transaction, read.Transaction);
        Assert.Equal(written.UserDetails, read.UserDetails);
        Assert.Equal(written.TransactionId, read.TransactionId);
    }

    [Fact]
    public void NullsAndUnknownProperties_ReadAsTheSerializerWould()
    {
        var read = Read("""
            {"unknown":{"nested":[1,2,{"x":null}]},"requested_hooks":2,"transaction":null,"user_details":null,
             "feature_flags_with_value":null,"repository":null,"internal_socket":"/s"}
            """);

        Assert.Equal(2, read.RequestedHooks);
        Assert.Null(read.Transaction);
        Assert.Null(read.UserDetails);
        Assert.Empty(read.FeatureFlagsWithValue);
        Assert.Equal("", read.Repository);
        Assert.Equal("/s", read.InternalSocket);
        Assert.Equal("sha1", read.ObjectFormat);
    }

    [Theory]
    [InlineData("""{"requested_hooks":"4"}""")]
    [InlineData("""{"internal_socket":12}""")]
    [InlineData("""{"transaction":{"id":-1}}""")]
    [InlineData("""{"feature_flags_with_value":{}}""")]
    [InlineData("""[]""")]
    [InlineData("""{"requested_hooks":4""")]
    [InlineData("""{} {}""")]
    public void WrongShapes_JsonException(string json)
    {
        Assert.ThrowsAny<JsonException>(() => Read(json));
    }

    [Fact]
    public void NamesAreCaseSensitive()
    {
        Assert.Equal("", Read("""{"Internal_Socket":"/s"}""").InternalSocket);
    }

    private static HooksPayload Read(string json) => HooksPayload.FromEnvironmentValue(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)));
}
