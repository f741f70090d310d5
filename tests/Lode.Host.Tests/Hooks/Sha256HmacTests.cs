using System.Security.Cryptography;
using Lode.Hooks;

namespace Lode.Host.Tests.Hooks;

/// <summary>The hooks executable's managed HMAC-SHA256 against .NET's, across the lengths where padding changes.</summary>
public sealed class Sha256HmacTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 10)]
    [InlineData(16, 55)]
    [InlineData(32, 56)]
    [InlineData(63, 63)]
    [InlineData(64, 64)]
    [InlineData(65, 65)]
    [InlineData(200, 119)]
    [InlineData(7, 1000)]
    public void Compute_SameAsHmacSha256(int keyLength, int messageLength)
    {
        var random = new Random(keyLength * 1000 + messageLength);
        var key = new byte[keyLength];
        var message = new byte[messageLength];
        random.NextBytes(key);
        random.NextBytes(message);

        Assert.Equal(HMACSHA256.HashData(key, message), Sha256Hmac.Compute(key, message));
    }

    [Fact]
    public void Hash_KnownVector()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            Convert.ToHexStringLower(Sha256Hmac.Hash("abc"u8)));
    }
}
