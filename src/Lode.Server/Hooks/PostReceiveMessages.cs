using System.Text;
using Lode.Server.Gitlab;

namespace Lode.Server.Hooks;

/// <summary>
/// Prints GitLab's post-receive messages as Gitaly does. git shows them after <c>remote: </c>, so they are laid out
/// for 72 columns: a <c>basic</c> message as is, an <c>alert</c> between two lines of 72 <c>=</c>, its words wrapped to
/// 68 columns and each line centred.
/// </summary>
public static class PostReceiveMessages
{
    private const int MessageWidth = 80 - 8;
    private const int TextWidth = MessageWidth - (2 * 2);

    public static byte[] Format(IReadOnlyList<PostReceiveMessage> messages)
    {
        var output = new StringBuilder();
        foreach (var message in messages)
        {
            output.Append('\n');
            switch (message.Type)
            {
                case "basic":
                    output.Append(message.Message);
                    break;
                case "alert":
                    AppendAlert(output, message.Message);
                    break;
                default:
                    throw new HookDeclinedException("error writing messages to stream: invalid message type: " + message.Type);
            }

            output.Append("\n\n");
        }

        return Encoding.UTF8.GetBytes(output.ToString());
    }

    private static void AppendAlert(StringBuilder output, string message)
    {
        output.Append('=', MessageWidth).Append("\n\n");
        var line = new StringBuilder();
        foreach (var word in message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (Encoding.UTF8.GetByteCount(line.ToString()) + 1 + Encoding.UTF8.GetByteCount(word) > TextWidth)
            {
                output.Append(Center(line.ToString())).Append('\n');
                line.Clear();
            }

            line.Append(word).Append(' ');
        }

        output.Append(Center(line.ToString())).Append("\n\n");
        output.Append('=', MessageWidth);
    }

    private static string Center(string line)
    {
        var text = line.Trim();
        var padding = Math.Max((MessageWidth - Encoding.UTF8.GetByteCount(text)) / 2, 0);
        return new string(' ', padding) + text;
    }
}
