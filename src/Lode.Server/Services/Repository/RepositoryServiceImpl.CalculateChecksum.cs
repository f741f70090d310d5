using System.Buffers;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Commands;
using Lode.Git.Refs;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// The XOR checksum over HEAD and the well-known references (<see cref="RefChecksum"/>). A repository without
    /// references answers forty zeros; one git cannot read at all is DATA_LOSS, as in Gitaly.
    /// </summary>
    public override async Task<CalculateChecksumResponse> CalculateChecksum(CalculateChecksumRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var cancellationToken = context.CancellationToken;
        var checksum = new RefChecksum();
        int exitCode;
        await using (var process = await git.Create(paths, GitSubcommand.ShowRef).Flag("--head").StartAsync(cancellationToken))
        {
            var reader = process.StdoutReader;
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    AddLine(checksum, line);
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        AddLine(checksum, buffer);
                    }

                    reader.AdvanceTo(buffer.End);
                    break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }

            exitCode = await process.WaitAsync(cancellationToken);
        }

        if (exitCode == 0 && !checksum.IsZero)
        {
            return new CalculateChecksumResponse { Checksum = checksum.ToString() };
        }

        if (await IsValidRepositoryAsync(paths, cancellationToken))
        {
            return new CalculateChecksumResponse { Checksum = RefChecksum.Zero };
        }

        throw new LodeException(ErrorCode.DataLoss, $"not a git repository '{paths.FullPath}'");
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private static void AddLine(RefChecksum checksum, ReadOnlySequence<byte> line)
    {
        if (line.IsSingleSegment)
        {
            checksum.AddLine(line.FirstSpan);
        }
        else
        {
            checksum.AddLine(line.ToArray());
        }
    }

    /// <summary>Gitaly's test for "is this still a repository": <c>git rev-parse --is-bare-repository</c> says true.</summary>
    private async Task<bool> IsValidRepositoryAsync(RepositoryPaths paths, CancellationToken cancellationToken)
    {
        var (exitCode, stdout, _) = await git.Create(paths, GitSubcommand.RevParse)
            .Flag("--is-bare-repository")
            .RunUncheckedAsync(cancellationToken);
        return exitCode == 0 && System.Text.Encoding.ASCII.GetString(stdout).TrimEnd('\n').Equals("true", StringComparison.OrdinalIgnoreCase);
    }
}
