using Gitaly;

namespace Lode.Server.Services.Blob;

/// <summary>BlobService: blob contents and LFS pointers. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class BlobServiceImpl : BlobService.BlobServiceBase;
