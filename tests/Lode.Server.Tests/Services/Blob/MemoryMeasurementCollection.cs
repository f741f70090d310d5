namespace Lode.Server.Tests.Services.Blob;

/// <summary>Tests that measure this process's memory: run alone, after every parallel test class has finished.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "Memory measurement";
}
