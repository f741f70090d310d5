using System.Text;
using System.Text.Json;
using Gitaly;

namespace Lode.Hooks;

/// <summary>
/// The payload's repository: a <c>gitaly.Repository</c> as protojson. Read field by field rather than with
/// Google.Protobuf's reflection-based JSON parser, which NativeAOT cannot trim safely. Both JSON names
/// (<c>storageName</c>) and proto names (<c>storage_name</c>) are accepted, as protojson does.
/// </summary>
internal static class RepositoryJson
{
    public static Repository Parse(string json)
    {
        var repository = new Repository();
        if (string.IsNullOrEmpty(json))
        {
            return repository;
        }

        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("repository: expected a JSON object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "storageName" or "storage_name":
                    repository.StorageName = reader.GetString() ?? "";
                    break;
                case "relativePath" or "relative_path":
                    repository.RelativePath = reader.GetString() ?? "";
                    break;
                case "gitObjectDirectory" or "git_object_directory":
                    repository.GitObjectDirectory = reader.GetString() ?? "";
                    break;
                case "gitAlternateObjectDirectories" or "git_alternate_object_directories":
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            repository.GitAlternateObjectDirectories.Add(reader.GetString() ?? "");
                        }
                    }

                    break;
                case "glRepository" or "gl_repository":
                    repository.GlRepository = reader.GetString() ?? "";
                    break;
                case "glProjectPath" or "gl_project_path":
                    repository.GlProjectPath = reader.GetString() ?? "";
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return repository;
    }
}
