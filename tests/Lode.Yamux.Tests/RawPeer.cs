namespace Lode.Yamux.Tests;

/// <summary>
/// A hand-driven yamux peer: writes exact frames (or any bytes) and reads back what the session sends, frame by
/// frame. Used to check the wire format and to provoke protocol errors a well-behaved peer never commits.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly Stream transport;

    public RawPeer(Stream transport)
    {
        this.transport = transport;
    }

    public async Task SendAsync(FrameHeader header, byte[]? payload = null)
    {
        var bytes = new byte[FrameHeader.Size + (payload?.Length ?? 0)];
        header.Write(bytes);
        payload?.CopyTo(bytes, FrameHeader.Size);
        await SendBytesAsync(bytes);
    }

    public async Task SendBytesAsync(byte[] bytes)
    {
        await transport.WriteAsync(bytes).Within();
        await transport.FlushAsync().Within();
    }

    /// <summary>The next frame the session sent, or null at end of stream.</summary>
    public async Task<(FrameHeader Header, byte[] Payload)?> ReadFrameAsync()
    {
        var head = new byte[FrameHeader.Size];
        if (!await ReadExactlyOrEndAsync(head))
        {
            return null;
        }

        var header = FrameHeader.Read(head, out var version);
        Assert.Equal(0, version);
        var payload = new byte[header.Type == FrameType.Data ? header.Length : 0];
        if (!await ReadExactlyOrEndAsync(payload))
        {
            Assert.Fail("end of stream inside a frame");
        }

        return (header, payload);
    }

    /// <summary>Skips frames until one matches; fails at end of stream.</summary>
    public async Task<FrameHeader> ExpectAsync(Func<FrameHeader, bool> match)
    {
        while (true)
        {
            var frame = await ReadFrameAsync();
            Assert.True(frame.HasValue, "end of stream before the expected frame");
            if (match(frame.Value.Header))
            {
                return frame.Value.Header;
            }
        }
    }

    /// <summary>Reads frames until end of stream; returns them all.</summary>
    public async Task<List<FrameHeader>> ReadUntilEndAsync()
    {
        var frames = new List<FrameHeader>();
        while (await ReadFrameAsync() is { } frame)
        {
            frames.Add(frame.Header);
        }

        return frames;
    }

    public void CloseTransport() => transport.Dispose();

    public ValueTask DisposeAsync() => transport.DisposeAsync();

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await transport.ReadAsync(buffer.AsMemory(read)).Within();
            }
            catch (IOException)
            {
                n = 0;
            }

            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }

                Assert.Fail("end of stream inside a frame header or payload");
            }

            read += n;
        }

        return true;
    }
}
