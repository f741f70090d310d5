using Lode.Core.Text;
using Tomlyn.Model;

namespace Lode.Core.Configuration;

/// <summary>
/// Typed reads from one TOML table that remember which keys were read, so that the loader can report every
/// key it did not understand instead of silently ignoring it, and type errors name the full key path.
/// </summary>
internal sealed class TomlSection
{
    private readonly TomlTable table;
    private readonly IReadOnlyList<string> path;
    private readonly List<ConfigError> errors;
    private readonly HashSet<string> read = [];

    public TomlSection(TomlTable table, IReadOnlyList<string> path, List<ConfigError> errors)
    {
        this.table = table;
        this.path = path;
        this.errors = errors;
    }

    public IReadOnlyList<string> Path => path;

    public bool Has(string key) => table.ContainsKey(key);

    public string? String(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }

        if (value is string s)
        {
            return s;
        }

        TypeError(key, "a string");
        return null;
    }

    public bool? Bool(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }

        if (value is bool b)
        {
            return b;
        }

        TypeError(key, "a boolean");
        return null;
    }

    public long? Integer(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }

        if (value is long l)
        {
            return l;
        }

        TypeError(key, "an integer");
        return null;
    }

    public int? Int32(string key)
    {
        var value = Integer(key);
        if (value is null)
        {
            return null;
        }

        if (value < int.MinValue || value > int.MaxValue)
        {
            errors.Add(new ConfigError(Key(key), "value out of range"));
            return null;
        }

        return (int)value;
    }

    /// <summary>A Go duration string ("1m30s"); an integer is taken as seconds, as Gitaly's TOML decoder does for some keys.</summary>
    public TimeSpan? Duration(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }

        switch (value)
        {
            case string s when GoDuration.TryParse(s, out var d):
                return d;
            case string s:
                errors.Add(new ConfigError(Key(key), $"invalid duration \"{s}\""));
                return null;
            case long seconds:
                return TimeSpan.FromSeconds(seconds);
            default:
                TypeError(key, "a duration string such as \"1m\"");
                return null;
        }
    }

    public IReadOnlyList<double>? Doubles(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }

        if (value is not TomlArray array)
        {
            TypeError(key, "an array of numbers");
            return null;
        }

        var result = new List<double>(array.Count);
        foreach (var item in array)
        {
            switch (item)
            {
                case double d:
                    result.Add(d);
                    break;
                case long l:
                    result.Add(l);
                    break;
                default:
                    TypeError(key, "an array of numbers");
                    return null;
            }
        }

        return result;
    }

    public IReadOnlyList<string>? Strings(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }

        if (value is not TomlArray array)
        {
            TypeError(key, "an array of strings");
            return null;
        }

        var result = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not string s)
            {
                TypeError(key, "an array of strings");
                return null;
            }

            result.Add(s);
        }

        return result;
    }

    public TomlSection? Table(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }

        if (value is TomlTable t)
        {
            return new TomlSection(t, Key(key), errors);
        }

        TypeError(key, "a table");
        return null;
    }

    /// <summary>An array of tables (<c>[[storage]]</c>); an inline array of tables is accepted too.</summary>
    public IReadOnlyList<TomlSection> TableArray(string key)
    {
        if (!TryGet(key, out var value))
        {
            return [];
        }

        var result = new List<TomlSection>();
        switch (value)
        {
            case TomlTableArray tables:
                foreach (var t in tables)
                {
                    result.Add(new TomlSection(t, Key(key), errors));
                }

                break;
            case TomlArray array:
                foreach (var item in array)
                {
                    if (item is not TomlTable t)
                    {
                        TypeError(key, "an array of tables");
                        return [];
                    }

                    result.Add(new TomlSection(t, Key(key), errors));
                }

                break;
            default:
                TypeError(key, "an array of tables");
                break;
        }

        return result;
    }

    /// <summary>Marks a key as understood without reading it (a section Lode accepts but does not act on yet).</summary>
    public bool Accept(string key) => table.ContainsKey(key) && read.Add(key);

    /// <summary>Keys present in this table that nothing read, as dotted paths.</summary>
    public IEnumerable<string> UnreadKeys()
    {
        foreach (var key in table.Keys)
        {
            if (!read.Contains(key))
            {
                yield return string.Join('.', Key(key));
            }
        }
    }

    private bool TryGet(string key, out object value)
    {
        read.Add(key);
        if (table.TryGetValue(key, out var v) && v is not null)
        {
            value = v;
            return true;
        }

        value = null!;
        return false;
    }

    private string[] Key(string key)
    {
        var result = new string[path.Count + 1];
        for (var i = 0; i < path.Count; i++)
        {
            result[i] = path[i];
        }

        result[^1] = key;
        return result;
    }

    private void TypeError(string key, string expected) =>
        errors.Add(new ConfigError(Key(key), "expected " + expected));
}
