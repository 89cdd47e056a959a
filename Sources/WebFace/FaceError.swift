import ChatEngine
import ChatProtocol

/// An API error: an HTTP status and a sentence, sent as `{"error": ..., "code": ...}`.
struct FaceError: Error, Sendable {
    enum Status: Int, Sendable {
        case badRequest = 400, unauthorized = 401, forbidden = 403, notFound = 404, conflict = 409, tooLarge = 413
        case unprocessable = 422, unavailable = 503
    }

    let status: Status
    let message: String
    let code: String

    init(_ status: Status, _ message: String, code: String? = nil) {
        self.status = status
        self.message = message
        self.code = code ?? "\(status)"
    }

    static func noRoom(_ roomID: String) -> FaceError {
        FaceError(.notFound, "no open room \(TimelineLine.escape(roomID)): it is not one of this identity's rooms (yet)", code: "not_found")
    }

    /// The engine's refusal, with the engine's own sentence.
    init(_ error: EngineError) {
        let status: Status
        switch error.code {
        case .forbidden: status = .forbidden
        case .notFound: status = .notFound
        case .ambiguous, .invalidEvent: status = .unprocessable
        case .busy, .conflict: status = .conflict
        case .fileTooLarge: status = .tooLarge
        case .storeUnavailable, .storeRefused, .cancelled: status = .unavailable
        default: status = .badRequest
        }
        self.init(status, error.message, code: error.code.rawValue)
    }

    var json: JSONValue {
        .object(JSONObject([("error", .string(message)), ("code", .string(code)), ("status", .int(Int64(status.rawValue)))]))
    }
}
