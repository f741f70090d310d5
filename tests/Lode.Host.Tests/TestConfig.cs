namespace Lode.Host.Tests;

/// <summary>Writes a valid config.toml with every folder inside <paramref name="root"/>; tests add or break one thing.</summary>
internal static class TestConfig
{
    public static string Toml(string root, int port, string extra = "")
    {
        var binDir = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
        var runtimeDir = Directory.CreateDirectory(Path.Combine(root, "run")).FullName;
        var storage = Directory.CreateDirectory(Path.Combine(root, "storage")).FullName;
        return $"""
            listen_addr = '127.0.0.1:{port}'
            bin_dir = '{binDir}'
            runtime_dir = '{runtimeDir}'
            graceful_restart_timeout = '10s'

            [[storage]]
            name = 'default'
            path = '{storage}'

            """ + extra;
    }

    public static string Write(string root, string toml, string name = "config.toml")
    {
        var path = Path.Combine(root, name);
        File.WriteAllText(path, toml);
        return path;
    }
}
