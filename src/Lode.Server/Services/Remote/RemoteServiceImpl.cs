using Gitaly;

namespace Lode.Server.Services.Remote;

/// <summary>RemoteService: talking to remote repositories (mirrors, ls-remote). RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class RemoteServiceImpl : RemoteService.RemoteServiceBase;
