using System.Text;
using Lode.Core.Text;

namespace Lode.Core.Tests.Text;

public sealed class GoQuoteTests
{
    [Theory]
    [InlineData("abc", "\"abc\"")]
    [InlineData("", "\"\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("tab\there\nnl", "\"tab\\there\\nnl\"")]
    [InlineData("\u0001\u007f", "\"\\x01\\x7f\"")]
    [InlineData("café ü", "\"café ü\"")]
    [InlineData("\u00a0\u200b", "\"\\u00a0\\u200b\"")]
    public void Quote_Strings_AsGoStrconvQuote(string value, string expected) => Assert.Equal(expected, GoQuote.Quote(value));

    [Fact]
    public void Quote_InvalidUtf8_HexEscapes() => Assert.Equal("\"caf\\xe9\\xff\"", GoQuote.Quote([(byte)'c', (byte)'a', (byte)'f', 0xe9, 0xff]));

    [Theory]
    [InlineData('x', "'x'")]
    [InlineData('\'', "'\\''")]
    [InlineData('"', "'\"'")]
    [InlineData('\0', "'\\x00'")]
    [InlineData('\n', "'\\n'")]
    public void QuoteRune_Characters_AsGoQuoteRune(char value, string expected) => Assert.Equal(expected, GoQuote.QuoteRune(new Rune(value)));
}
