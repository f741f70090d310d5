using Gitaly;
using Lode.Git.PktLine;

namespace Lode.Server.Conversions;

/// <summary>Negotiation statistics as returned by the upload-pack RPCs.</summary>
public static class PackfileNegotiationConverter
{
    /// <summary>
    /// The statistics message. Smart HTTP answers zeroes when the request did not parse (Gitaly keeps only a
    /// complete parse there); SSH answers what was gathered (<paramref name="partial"/>).
    /// </summary>
    public static PackfileNegotiationStatistics ToProto(PackfileNegotiation stats, bool partial)
    {
        var message = new PackfileNegotiationStatistics();
        if (!partial && !stats.Succeeded)
        {
            return message;
        }

        message.PayloadSize = stats.PayloadSize;
        message.Packets = stats.Packets;
        message.Caps.AddRange(stats.Caps);
        message.Wants = stats.Wants;
        message.Haves = stats.Haves;
        message.Shallows = stats.Shallows;
        message.Deepen = stats.Deepen;
        message.Filter = stats.Filter;
        return message;
    }
}
