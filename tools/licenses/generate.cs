#:property PublishAot=false
// Generates src/Lode.Git/Licenses/spdx-licenses.json.br, the license database FindLicense matches against.
//
//   cd "$(mktemp -d)" && npm pack spdx-license-list@6.6.0 && tar xzf spdx-license-list-6.6.0.tgz
//   dotnet run <repo>/tools/licenses/generate.cs -- "$PWD/package" <repo>/src/Lode.Git/Licenses/spdx-licenses.json.br
//
// Why this data: Gitaly detects licenses with go-license-detector, which embeds the SPDX license list 3.17
// (every license, deprecated ids such as GPL-2.0 included). spdx-license-list 6.6.0 carries that generation of
// the list: the same ids, names, texts and first "see also" URLs (e.g. MIT's https://opensource.org/licenses/MIT,
// which later lists changed). Identical texts are stored once; Brotli keeps the file near 330 KB.
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: generate.cs <spdx-license-list package dir> <output .json.br>");
    return 2;
}

var source = JsonNode.Parse(File.ReadAllText(Path.Combine(args[0], "spdx-full.json")))!.AsObject();
var version = JsonNode.Parse(File.ReadAllText(Path.Combine(args[0], "package.json")))!["version"]!.GetValue<string>();
var texts = new List<string>();
var textIndex = new Dictionary<string, int>(StringComparer.Ordinal);
var licenses = new JsonArray();
foreach (var (id, node) in source.OrderBy(p => p.Key, StringComparer.Ordinal))
{
    var text = node!["licenseText"]!.GetValue<string>();
    if (!textIndex.TryGetValue(text, out var index))
    {
        index = texts.Count;
        texts.Add(text);
        textIndex[text] = index;
    }

    licenses.Add(new JsonObject
    {
        ["id"] = id,
        ["name"] = node["name"]!.GetValue<string>(),
        ["url"] = node["url"]?.GetValue<string>() ?? string.Empty,
        ["text"] = index,
    });
}

var document = new JsonObject
{
    ["source"] = "spdx-license-list@" + version,
    ["licenses"] = licenses,
    ["texts"] = new JsonArray([.. texts.Select(t => (JsonNode)JsonValue.Create(t))]),
};
var json = JsonSerializer.SerializeToUtf8Bytes(document);
var output = new byte[BrotliEncoder.GetMaxCompressedLength(json.Length)];
using (var encoder = new BrotliEncoder(quality: 11, window: 24))
{
    encoder.Compress(json, output, out _, out var written, isFinalBlock: true);
    File.WriteAllBytes(args[1], output[..written]);
    Console.WriteLine($"{licenses.Count} licenses, {texts.Count} distinct texts, {json.Length} bytes of JSON, {written} compressed");
}

return 0;
