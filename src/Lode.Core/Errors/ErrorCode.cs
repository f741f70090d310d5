namespace Lode.Core.Errors;

/// <summary>
/// The status codes Lode answers with. The values are gRPC's, so the server layer converts by cast;
/// Lode.Core and Lode.Git stay free of gRPC types.
/// </summary>
public enum ErrorCode
{
    OK = 0,
    Canceled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}
