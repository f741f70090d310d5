using System.Collections.Concurrent;
using Gitaly;
using Grpc.Core;
using Lode.Git.Licenses;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>How many answers are kept, keyed by commit id (Gitaly keeps 100 as well).</summary>
    private const int LicenseCacheSize = 100;

    /// <summary>
    /// Nicknames Gitaly adds from choosealicense.com, by lower-case SPDX id; other licenses have none.
    /// </summary>
    private static readonly Dictionary<string, string> LicenseNicknames = new(StringComparer.Ordinal)
    {
        ["agpl-3.0"] = "GNU AGPLv3",
        ["lgpl-3.0"] = "GNU LGPLv3",
        ["bsd-3-clause-clear"] = "Clear BSD",
        ["odbl-1.0"] = "ODbL",
        ["ncsa"] = "UIUC/NCSA",
        ["lgpl-2.1"] = "GNU LGPLv2.1",
        ["gpl-3.0"] = "GNU GPLv3",
        ["gpl-2.0"] = "GNU GPLv2",
    };

    /// <summary>A commit's license never changes, so answers are shared across repositories by commit id.</summary>
    private static readonly ConcurrentDictionary<string, FindLicenseResponse> LicenseCache = new(StringComparer.Ordinal);

    /// <summary>
    /// The license of the default branch's tip (HEAD): a lower-case SPDX id with the license's name, URL, nickname
    /// and the file it was found in. A license-looking file that matches no license is "other"; no such file, or an
    /// unborn HEAD, is an empty answer.
    /// </summary>
    public override async Task<FindLicenseResponse> FindLicense(FindLicenseRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var cancellationToken = context.CancellationToken;
        await using var lease = await objects.GetAsync(paths, context);
        var head = await lease.Reader.InfoAsync("HEAD", cancellationToken);
        if (head is null)
        {
            return new FindLicenseResponse();
        }

        if (LicenseCache.TryGetValue(head.Oid, out var cached))
        {
            return cached.Clone();
        }

        var found = await LicenseFinder.FindAsync(lease.Reader, head.Oid, cancellationToken);
        var response = ToFindLicenseResponse(found);
        if (LicenseCache.Count >= LicenseCacheSize)
        {
            LicenseCache.Clear();
        }

        LicenseCache[head.Oid] = response;
        return response.Clone();
    }

    private static FindLicenseResponse ToFindLicenseResponse(LicenseFinderResult found)
    {
        if (found.Path is null)
        {
            return new FindLicenseResponse();
        }

        if (found.License is not { } license)
        {
            // Gitaly's answer for a license file it cannot identify; the UI shows the nickname.
            return new FindLicenseResponse
            {
                LicenseName = "Other",
                LicenseShortName = "other",
                LicenseNickname = "LICENSE",
                LicensePath = found.Path,
            };
        }

        var shortName = license.Id.ToLowerInvariant();
        return new FindLicenseResponse
        {
            LicenseShortName = shortName,
            LicenseName = license.Name,
            LicenseUrl = license.Url,
            LicensePath = found.Path,
            LicenseNickname = LicenseNicknames.GetValueOrDefault(shortName, string.Empty),
        };
    }
}
