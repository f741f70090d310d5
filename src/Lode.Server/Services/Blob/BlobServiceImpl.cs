using Gitaly;
using Lode.Git.Commands;
using Lode.Server.Repositories;

namespace Lode.Server.Services.Blob;

/// <summary>BlobService: blob contents by id or by revision and path, blob enumeration, and Git LFS pointers.</summary>
internal sealed partial class BlobServiceImpl(
    RepositoryResolver resolver,
    ObjectReaders objects,
    GitCommandFactory git) : BlobService.BlobServiceBase;
