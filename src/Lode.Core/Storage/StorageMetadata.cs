using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lode.Core.Storage;

/// <summary>
/// <c>&lt;storage&gt;/.gitaly-metadata</c>: <c>{"gitaly_filesystem_id":"&lt;uuid&gt;"}</c>, written once. GitLab compares
/// the ids of storages to learn which ones share a filesystem (and so can hard-link between them).
/// </summary>
public static class StorageMetadata
{
    public const string FileName = ".gitaly-metadata";

    private static readonly Lock Gate = new();

    /// <summary>Reads the filesystem id, creating the file with a new id if it is absent.</summary>
    public static string EnsureFilesystemId(string storagePath)
    {
        var path = Path.Combine(storagePath, FileName);

        // Callers in one process take turns: they would otherwise share the temp file name below and could each
        // return a different id. Between processes this is only as safe as Gitaly's own check-then-rename.
        lock (Gate)
        {
            if (TryRead(path) is { } existing)
            {
                return existing;
            }

            var id = Guid.NewGuid().ToString();
            var json = new JsonObject { ["gitaly_filesystem_id"] = id }.ToJsonString();
            var temp = path + ".tmp-" + Environment.ProcessId;
            File.WriteAllText(temp, json);
            try
            {
                // If another process published first, its id stands. File.Move without overwrite is a check and
                // then rename(2) on Linux, so a process that publishes between the two is overwritten.
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException)
            {
                File.Delete(temp);
                return TryRead(path) ?? id;
            }

            return id;
        }
    }

    public static string? TryRead(string path)
    {
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path));
            return node?["gitaly_filesystem_id"]?.GetValue<string>();
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
