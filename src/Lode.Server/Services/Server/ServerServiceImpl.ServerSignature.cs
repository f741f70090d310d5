using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;

namespace Lode.Server.Services.Server;

internal sealed partial class ServerServiceImpl
{
    /// <summary>
    /// The public half of <c>[git] signing_key</c>, so GitLab can verify commits the server signs. Lode reads it
    /// from <c>&lt;signing_key&gt;.pub</c> (ssh-keygen and gpg exports both produce that file); an empty key means
    /// signing is off.
    /// </summary>
    public override async Task<ServerSignatureResponse> ServerSignature(ServerSignatureRequest request, ServerCallContext context)
    {
        var key = options.Git.SigningKey;
        if (string.IsNullOrEmpty(key))
        {
            return new ServerSignatureResponse();
        }

        var publicKey = key + ".pub";
        if (!File.Exists(publicKey))
        {
            throw LodeException.FailedPrecondition("public key of the signing key not found").With("path", publicKey);
        }

        var bytes = await File.ReadAllBytesAsync(publicKey, context.CancellationToken);
        return new ServerSignatureResponse { PublicKey = ByteString.CopyFrom(bytes) };
    }
}
