using System.IO.Pipelines;

namespace Lode.Server.Backchannel;

/// <summary>A stream (the client's yamux stream) as a connection transport for Kestrel's HTTP/2 code.</summary>
internal sealed class StreamDuplexPipe(Stream stream) : IDuplexPipe
{
    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));

    public async ValueTask CompleteAsync()
    {
        await Input.CompleteAsync();
        await Output.CompleteAsync();
    }
}
