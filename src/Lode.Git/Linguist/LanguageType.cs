namespace Lode.Git.Linguist;

/// <summary>A language's kind in Linguist; only programming and markup languages count in language statistics.</summary>
public enum LanguageType
{
    Unknown = 0,
    Data,
    Programming,
    Markup,
    Prose,
}
