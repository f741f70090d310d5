using Lode.Core.Text;

namespace Lode.Core.Tests.Text;

public sealed class GoDurationTests
{
    public static TheoryData<string, long> Valid => new()
    {
        { "0", 0 },
        { "-0", 0 },
        { "0s", 0 },
        { "1m30s", 90 * TimeSpan.TicksPerSecond },
        { "250ms", 250 * TimeSpan.TicksPerMillisecond },
        { "1.5h", 90 * TimeSpan.TicksPerMinute },
        { "1h30m", 90 * TimeSpan.TicksPerMinute },
        { "2h45m30.5s", (((2 * 60) + 45) * 60 * TimeSpan.TicksPerSecond) + (305 * TimeSpan.TicksPerSecond / 10) },
        { "-1m", -TimeSpan.TicksPerMinute },
        { "+5s", 5 * TimeSpan.TicksPerSecond },
        { ".5s", 500 * TimeSpan.TicksPerMillisecond },
        { "1.s", TimeSpan.TicksPerSecond },
        { "10us", 10 * TimeSpan.TicksPerMicrosecond },
        { "10µs", 10 * TimeSpan.TicksPerMicrosecond },
        { "10μs", 10 * TimeSpan.TicksPerMicrosecond },
        { "100ns", 1 },
        { "1ns", 0 },
        { "1m1m", 2 * TimeSpan.TicksPerMinute },
        // Decimal fractions must come out exact, as in Go: a double product gives 569.9999 ms.
        { "0.57s", 570 * TimeSpan.TicksPerMillisecond },
        { "2.01s", 2010 * TimeSpan.TicksPerMillisecond },
        { "1.13m", 678 * TimeSpan.TicksPerSecond / 10 },
        { "0.043ms", 430 },
        { "24h", TimeSpan.TicksPerDay },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryParse_ValidGoDuration_ReturnsExactValue(string text, long expectedTicks)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(expectedTicks, value.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1")]
    [InlineData("00")]
    [InlineData("m")]
    [InlineData("1x")]
    [InlineData("1m30")]
    [InlineData("1.2.3s")]
    [InlineData(".s")]
    [InlineData(" 1s")]
    [InlineData("1 s")]
    [InlineData("1s ")]
    [InlineData("1h-5m")]
    [InlineData("5 minutes")]
    [InlineData("1d")]
    [InlineData("1S")]
    [InlineData("99999999999999999999h")]
    [InlineData("999999999999999999999999999999999999999s")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.Zero, value);
    }

    [Fact]
    public void Format_Duration_WritesSeconds()
    {
        Assert.Equal("90s", GoDuration.Format(TimeSpan.FromSeconds(90)));
        Assert.Equal("0.25s", GoDuration.Format(TimeSpan.FromMilliseconds(250)));
    }
}
