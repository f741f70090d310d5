namespace Lode.TestKit;

/// <summary>
/// Finds git processes that are children of this test process: a handler must reap every child before it
/// returns, so any found after a call is a leak.
/// </summary>
public static class ProcessLeakCheck
{
    public static IReadOnlyList<int> GitChildren()
    {
        var self = Environment.ProcessId;
        var result = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // pid (comm) state ppid ...
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == self && comm.StartsWith("git", StringComparison.Ordinal) && fields[0] != "Z")
                {
                    result.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return result;
    }
}
