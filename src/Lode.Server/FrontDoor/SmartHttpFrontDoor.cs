using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gitaly;
using Lode.Core.Configuration;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Server.GitTransport;
using Lode.Server.Hooks;
using Lode.Server.Repositories;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Lode.Server.FrontDoor;

/// <summary>
/// Lode's optional smart HTTP listener (<c>[lode.http] listen_addr</c>): git can clone, fetch and push straight to
/// Lode, without GitLab's Workhorse in front. It serves <c>GET /&lt;repo&gt;/info/refs?service=…</c> and
/// <c>POST /&lt;repo&gt;/git-upload-pack|git-receive-pack</c> for the storage <c>default</c> (else the first one), through
/// the same <see cref="TransportRunner"/> code as the SmartHTTP RPCs. Authentication: HTTP Basic with the
/// <c>[auth] token</c> as password (any user name); without a token, loopback clients only.
/// </summary>
public sealed partial class SmartHttpFrontDoor(LodeOptions options, RepositoryResolver resolver, TransportRunner transport,
    ILogger<SmartHttpFrontDoor> logger)
{
    private const string InfoRefs = "/info/refs";
    private const string UploadPack = "/git-upload-pack";
    private const string ReceivePack = "/git-receive-pack";

    private readonly string? storage = options.FindStorage("default")?.Name ?? (options.Storages.Count > 0 ? options.Storages[0].Name : null);

    public async Task HandleAsync(HttpContext http)
    {
        if (!Authorize(http, out var username))
        {
            return;
        }

        var path = http.Request.Path.Value ?? "";
        string? route = null;
        foreach (var suffix in (ReadOnlySpan<string>)[InfoRefs, UploadPack, ReceivePack])
        {
            if (path.EndsWith(suffix, StringComparison.Ordinal))
            {
                route = suffix;
                break;
            }
        }

        var relativePath = route is null ? "" : path[..^route.Length].TrimStart('/');
        if (route is null || relativePath.Length == 0 || storage is null)
        {
            await PlainAsync(http, StatusCodes.Status404NotFound, "Not Found");
            return;
        }

        var expected = route == InfoRefs ? HttpMethods.Get : HttpMethods.Post;
        if (!string.Equals(http.Request.Method, expected, StringComparison.OrdinalIgnoreCase))
        {
            http.Response.Headers.Allow = expected;
            await PlainAsync(http, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed");
            return;
        }

        var repository = new Repository { StorageName = storage, RelativePath = relativePath };
        var gitProtocol = http.Request.Headers["Git-Protocol"].ToString();
        try
        {
            var paths = resolver.Resolve(repository);
            switch (route)
            {
                case InfoRefs:
                    await AdvertiseAsync(http, paths, gitProtocol);
                    break;
                case UploadPack:
                    await UploadPackAsync(http, paths, gitProtocol);
                    break;
                default:
                    await ReceivePackAsync(http, paths, repository, username, gitProtocol);
                    break;
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e) when (e is LodeException or IOException or InvalidDataException)
        {
            await FailAsync(http, e);
        }
    }

    private async Task AdvertiseAsync(HttpContext http, Core.Storage.RepositoryPaths paths, string gitProtocol)
    {
        var service = http.Request.Query["service"].ToString();
        var subcommand = service switch
        {
            "git-upload-pack" => GitSubcommand.UploadPack,
            "git-receive-pack" => GitSubcommand.ReceivePack,
            _ => null,
        };

        if (subcommand is null)
        {
            // The dumb protocol is not served.
            await PlainAsync(http, StatusCodes.Status404NotFound, "Not Found");
            return;
        }

        await transport.AdvertiseRefsAsync(paths, subcommand, [], gitProtocol, Sink(http, $"application/x-{service}-advertisement"),
            http.RequestAborted);
    }

    private async Task UploadPackAsync(HttpContext http, Core.Storage.RepositoryPaths paths, string gitProtocol)
    {
        await using var body = RequestBody(http);
        using var stats = await transport.UploadPackAsync(paths, [], gitProtocol, body,
            Sink(http, "application/x-git-upload-pack-result"), TransportRunner.MessageChunkSize, http.RequestAborted);
    }

    private async Task ReceivePackAsync(HttpContext http, Core.Storage.RepositoryPaths paths, Repository repository, string username,
        string gitProtocol)
    {
        await using var body = RequestBody(http);
        var user = new HooksUserDetails
        {
            // gl_id in the form Gitaly's hooks accept for a user known only by name.
            UserId = "username-" + username,
            Username = username,
            Protocol = "http",
            RemoteIp = http.Connection.RemoteIpAddress?.ToString() ?? "",
        };

        var context = new FrontDoorCallContext(http, "/gitaly.SmartHTTPService/PostReceivePack");
        var outcome = await transport.ReceivePackAsync(paths, repository, user, [], gitProtocol, stateless: true, body,
            Sink(http, "application/x-git-receive-pack-result"), stderr: null, context, http.RequestAborted);
        if (outcome.StartError is { } startError)
        {
            throw TransportRunner.Failure(ErrorCode.FailedPrecondition, "spawning receive-pack", startError);
        }

        if (outcome.ExitCode != 0)
        {
            throw new LodeException(ErrorCode.FailedPrecondition, "waiting for receive-pack: exit status " + outcome.ExitCode)
                .With("stderr", outcome.Stderr);
        }
    }

    /// <summary>git compresses larger fetch requests; anything else it sends as is.</summary>
    private static Stream RequestBody(HttpContext http)
    {
        var encoding = http.Request.Headers.ContentEncoding.ToString().Trim();
        return encoding.ToUpperInvariant() switch
        {
            "" or "IDENTITY" => http.Request.Body,
            "GZIP" or "X-GZIP" => new GZipStream(http.Request.Body, CompressionMode.Decompress, leaveOpen: true),
            _ => throw LodeException.InvalidArgument("unsupported Content-Encoding " + encoding),
        };
    }

    /// <summary>The response: headers on the first write, then each chunk flushed at once (chunked transfer).</summary>
    private static ByteSink Sink(HttpContext http, string contentType) => async (data, cancellationToken) =>
    {
        if (!http.Response.HasStarted)
        {
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = contentType;
            http.Response.Headers.CacheControl = "no-cache, max-age=0, must-revalidate";
            http.Response.Headers.Pragma = "no-cache";
            http.Response.Headers.Expires = "Fri, 01 Jan 1980 00:00:00 GMT";
        }

        await http.Response.Body.WriteAsync(data, cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    };

    private bool Authorize(HttpContext http, out string username)
    {
        username = "lode";
        var token = options.Auth.Token;
        if (token.Length == 0)
        {
            var remote = http.Connection.RemoteIpAddress;
            if (remote is null || IPAddress.IsLoopback(remote) || (remote.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(remote.MapToIPv4())))
            {
                return true;
            }

            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return false;
        }

        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon >= 0 && CryptographicOperations.FixedTimeEquals(
                        Encoding.UTF8.GetBytes(decoded[(colon + 1)..]), Encoding.UTF8.GetBytes(token)))
                {
                    username = colon > 0 ? decoded[..colon] : username;
                    return true;
                }
            }
            catch (FormatException)
            {
                // Not base64: refused below like any wrong password.
            }
        }

        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"Lode\"";
        return false;
    }

    private async Task FailAsync(HttpContext http, Exception error)
    {
        LogFailed(logger, http.Request.Method, http.Request.Path.Value ?? "", error.Message);
        if (http.Response.HasStarted)
        {
            // git must see a broken transfer, not a short one that looks complete.
            http.Abort();
            return;
        }

        var status = (error as LodeException)?.Code switch
        {
            ErrorCode.NotFound => StatusCodes.Status404NotFound,
            ErrorCode.InvalidArgument => StatusCodes.Status400BadRequest,
            ErrorCode.PermissionDenied => StatusCodes.Status403Forbidden,
            _ => error is InvalidDataException ? StatusCodes.Status400BadRequest : StatusCodes.Status500InternalServerError,
        };
        await PlainAsync(http, status, error.Message);
    }

    private static async Task PlainAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(message + "\n", http.RequestAborted);
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "smart http {method} {path} failed: {error}")]
    private static partial void LogFailed(ILogger logger, string method, string path, string error);
}
