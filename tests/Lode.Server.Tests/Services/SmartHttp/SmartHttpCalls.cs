using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.SmartHttp;

/// <summary>Drives the SmartHTTP RPCs the way Workhorse does, for the tests of this folder.</summary>
internal static class SmartHttpCalls
{
    /// <summary>Concatenated data of an InfoRefs stream, and the size of each message.</summary>
    public static async Task<(byte[] Data, List<int> Sizes)> InfoRefsAsync(AsyncServerStreamingCall<InfoRefsResponse> call)
    {
        using var _ = call;
        using var data = new MemoryStream();
        var sizes = new List<int>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            sizes.Add(response.Data.Length);
            response.Data.WriteTo(data);
        }

        return (data.ToArray(), sizes);
    }

    /// <summary>PostUploadPackWithSidechannel: the body goes on the sidechannel, then 0000; the raw answer comes back.</summary>
    public static async Task<(PostUploadPackWithSidechannelResponse Response, byte[] Output)> UploadPackWithSidechannelAsync(
        BackchannelClient client, PostUploadPackWithSidechannelRequest request, byte[] body)
    {
        var output = new MemoryStream();
        var (waiter, options) = client.Sidechannel(async (sidechannel, ct) =>
        {
            await sidechannel.WriteAsync(body, ct);
            await sidechannel.CloseWriteAsync(ct);
            await sidechannel.Stream.CopyToAsync(output, ct);
        });

        PostUploadPackWithSidechannelResponse response;
        try
        {
            response = await client.SmartHttp.PostUploadPackWithSidechannelAsync(request, options);
        }
        catch (RpcException)
        {
            waiter.Abort();
            try
            {
                await waiter.CloseAsync();
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }

            throw;
        }

        await waiter.CloseAsync();
        return (response, output.ToArray());
    }

    /// <summary>A bidi call whose first message is <paramref name="first"/>, then <paramref name="body"/> in 32 KiB data messages.</summary>
    public static async Task<byte[]> BidiAsync<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call, TRequest first, byte[] body,
        Func<ByteString, TRequest> data, Func<TResponse, ByteString> output)
        where TRequest : class
        where TResponse : class
    {
        using var _ = call;
        await call.RequestStream.WriteAsync(first);
        for (var offset = 0; offset < body.Length; offset += 32 * 1024)
        {
            await call.RequestStream.WriteAsync(data(ByteString.CopyFrom(body, offset, Math.Min(32 * 1024, body.Length - offset))));
        }

        await call.RequestStream.CompleteAsync();
        using var result = new MemoryStream();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            output(response).WriteTo(result);
        }

        return result.ToArray();
    }

    /// <summary>Capabilities a fetch asks for (no side-band, so the pack follows the NAK directly).</summary>
    public static string FetchCaps(TestRepo repo) => "ofs-delta no-progress" + (repo.ObjectFormat == "sha256" ? " object-format=sha256" : "");
}
