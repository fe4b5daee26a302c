import HokusaiCore
import Hummingbird
import NIOCore

/// Reads request bodies with one answer for each way reading fails, on every route: past the
/// route's limit is 413 naming the limit; a body that cannot be read at all (a broken chunked
/// encoding, the connection closing mid-body) is 400 saying so. Neither is a 500, and a broken
/// body is never reported as a large one.
enum RequestBodyReader {
    /// The whole body, or the error above.
    static func collect(_ request: Request, upTo limit: Int) async throws -> ByteBuffer {
        var request = request
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        } catch {
            throw APIError.unreadableBody(error)
        }
    }

    /// The body as it streams in, its read failures turned into the 400 above (artifact uploads).
    static func stream(_ request: Request) -> CheckedBody {
        CheckedBody(base: request.body)
    }

    struct CheckedBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let base: RequestBody

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: RequestBody.AsyncIterator

            mutating func next() async throws -> ByteBuffer? {
                do {
                    return try await base.next()
                } catch {
                    throw APIError.unreadableBody(error)
                }
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator()) }
    }
}

extension APIError {
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(
            status: .contentTooLarge, code: "BODY_TOO_LARGE",
            message: "Request body is larger than this route's limit of \(limit) bytes",
            mlflowCode: "INVALID_PARAMETER_VALUE")
    }

    static func unreadableBody(_ error: any Error) -> APIError {
        APIError(
            status: .badRequest, code: "BODY_UNREADABLE",
            message: "The request body could not be read (\(String(describing: error))): "
                + "its chunked encoding is broken or the connection closed before it ended",
            mlflowCode: "BAD_REQUEST")
    }
}
