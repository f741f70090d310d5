using System.Runtime.InteropServices;
using System.Text;

namespace Lode.Hooks.Calls;

/// <summary>
/// A connected unix stream socket as a blocking <see cref="Stream"/>, through libc directly. On first use
/// System.Net.Sockets starts its epoll thread (and waits for it) and probes which address families the machine has,
/// about a tenth of a hook's run; a hook needs one blocking connection and none of that.
/// </summary>
internal sealed partial class UnixSocketStream : Stream
{
    // The same values on x86-64 and arm64 Linux.
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;
    private const int MsgNoSignal = 0x4000;
    private const int ShutRdwr = 2;
    private const int Eintr = 4;

    /// <summary>sun_path's size in struct sockaddr_un, its terminating NUL included.</summary>
    private const int MaxPathBytes = 108;

    private int fd;

    private UnixSocketStream(int fd)
    {
        this.fd = fd;
    }

    public static UnixSocketStream Connect(string path)
    {
        var pathBytes = Encoding.UTF8.GetBytes(path);
        if (pathBytes.Length >= MaxPathBytes)
        {
            throw new IOException($"socket path too long: {path}");
        }

        // struct sockaddr_un: the family as a native-endian 16-bit integer, then the NUL-terminated path.
        var address = new byte[2 + MaxPathBytes];
        BitConverter.TryWriteBytes(address, (ushort)AfUnix);
        pathBytes.CopyTo(address, 2);

        var fd = OpenSocket(AfUnix, SockStream | SockCloexec, 0);
        if (fd < 0)
        {
            throw Error("socket");
        }

        int result;
        do
        {
            result = ConnectSocket(fd, address, 2 + pathBytes.Length + 1);
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == Eintr);

        if (result < 0)
        {
            var error = Error("connect " + path);
            CloseFd(fd);
            throw error;
        }

        return new UnixSocketStream(fd);
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            var read = Receive(Descriptor, ref MemoryMarshal.GetReference(buffer), buffer.Length, 0);
            if (read >= 0)
            {
                return (int)read;
            }

            if (Marshal.GetLastPInvokeError() != Eintr)
            {
                throw Error("read");
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Writes all of <paramref name="buffer"/>; a peer that went away is an <see cref="IOException"/>, never SIGPIPE.</summary>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var written = Send(Descriptor, ref MemoryMarshal.GetReference(buffer), buffer.Length, MsgNoSignal);
            if (written >= 0)
            {
                buffer = buffer[(int)written..];
            }
            else if (Marshal.GetLastPInvokeError() != Eintr)
            {
                throw Error("write");
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Ends both directions: a thread blocked reading returns at once, and the server sees the connection close.</summary>
    public void Shutdown()
    {
        if (fd >= 0)
        {
            _ = ShutdownSocket(fd, ShutRdwr);
        }
    }

    protected override void Dispose(bool disposing)
    {
        var open = Interlocked.Exchange(ref fd, -1);
        if (open >= 0)
        {
            CloseFd(open);
        }

        base.Dispose(disposing);
    }

    private int Descriptor => fd >= 0 ? fd : throw new ObjectDisposedException(nameof(UnixSocketStream));

    private static IOException Error(string operation)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{operation}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int OpenSocket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int ConnectSocket(int fd, byte[] address, int length);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial nint Receive(int fd, ref byte buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial nint Send(int fd, ref byte buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int ShutdownSocket(int fd, int how);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int CloseFd(int fd);
}
