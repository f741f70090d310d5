using System.Globalization;
using System.Text;
using Lode.Server.Logging;

namespace Lode.Server.Tests.Logging;

public sealed class LogFieldsTests
{
    [Theory]
    [InlineData("2026-11-26T07:00:10.371Z")]
    [InlineData("0001-01-01T00:00:00.000Z")]
    [InlineData("9999-12-31T23:59:59.999Z")]
    [InlineData("2024-02-29T12:05:09.007Z")]
    public void FormatTime_SameTextAsTheCustomFormat(string text)
    {
        var time = DateTime.ParseExact(text, LogFields.TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var buffer = new byte[LogFields.TimeLength];

        LogFields.FormatTime(time, buffer);

        Assert.Equal(time.ToString(LogFields.TimeFormat, CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer));
        Assert.Equal(text, Encoding.ASCII.GetString(buffer));
    }
}
