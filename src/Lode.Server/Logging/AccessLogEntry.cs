using System.Collections;

namespace Lode.Server.Logging;

/// <summary>
/// One access-log line: an ordered list of Gitaly's field names and values (spec §11). Logged as structured
/// state so that the JSON and text formatters write the fields as they are, dots included.
/// </summary>
public sealed class AccessLogEntry(string message) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> fields = new(32);

    public string Message { get; } = message;

    public int Count => fields.Count;

    public KeyValuePair<string, object?> this[int index] => fields[index];

    public void Add(string key, object? value)
    {
        if (value is not null)
        {
            fields.Add(new(key, value));
        }
    }

    public object? Find(string key)
    {
        foreach (var (k, v) in fields)
        {
            if (k == key)
            {
                return v;
            }
        }

        return null;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;
}
