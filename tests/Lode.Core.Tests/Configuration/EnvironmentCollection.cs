namespace Lode.Core.Tests.Configuration;

/// <summary>Tests that change environment variables the loader reads; xUnit runs this collection alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "environment";
}
