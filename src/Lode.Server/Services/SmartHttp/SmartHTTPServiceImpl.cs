using Gitaly;

namespace Lode.Server.Services.SmartHttp;

/// <summary>SmartHTTPService: git's smart HTTP protocol as Workhorse relays it. RPCs not implemented yet answer UNIMPLEMENTED.</summary>
internal sealed partial class SmartHTTPServiceImpl : SmartHTTPService.SmartHTTPServiceBase;
