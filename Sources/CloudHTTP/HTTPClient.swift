import Foundation
import ObjectStore

/// An HTTP client over libcurl: connection reuse, parallel transfers, TLS
/// verification always on, and retries with backoff and jitter.
public struct HTTPClient: Sendable {
    /// Transport settings shared by every request of one client.
    public struct Options: Sendable {
        /// A PEM bundle of extra trusted CAs (private S3 endpoints); verification stays on.
        public var caBundle: String?
        public var connectTimeoutMilliseconds = 5_000
        public var totalTimeoutMilliseconds = 300_000
        public var stallSeconds = 30

        public init(caBundle: String? = nil) { self.caBundle = caBundle }
    }

    public var options: Options
    public var retry: RetryPolicy

    public init(options: Options = Options(), retry: RetryPolicy = .standard) {
        self.options = options
        self.retry = retry
    }

    /// Sends once, without retries.
    public func sendOnce(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportFailure> {
        let options = self.options
        return await withCheckedContinuation { continuation in
            guard let transfer = CurlTransfer(request, options: options, continuation: continuation) else {
                continuation.resume(returning: .failure(TransportFailure(curlCode: -1, message: "curl_easy_init failed", isRetryable: false, isTLS: false)))
                return
            }
            CurlLoop.shared.submit(transfer)
        }
    }

    /// Sends, retrying on 5xx, 429 and connection failures. Returns the last
    /// response, whatever its status; throws `.unreachable` when no try got
    /// an answer. `what` names the operation for the message ("reading
    /// \"key\" from s3://bucket/").
    public func send(_ request: HTTPRequest, what: String) async throws(StoreError) -> HTTPResponse {
        try await send(what: what) { request }
    }

    /// Like `send(_:what:)`, building the request anew for each try (so a
    /// signature's timestamp stays fresh).
    public func send(what: String, _ build: () throws(StoreError) -> HTTPRequest) async throws(StoreError) -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            let request = try build()
            let result = await sendOnce(request)
            switch result {
            case .success(var response):
                response.attempts = attempt
                if RetryPolicy.isRetryable(status: response.status), attempt < retry.maxAttempts {
                    try await pause(after: attempt)
                    continue
                }
                return response
            case .failure(let failure):
                if let problem = failure.bodyReadFailure {
                    throw StoreError(.io, "\(problem) while \(what). Check the file and the disk, then try again once nothing writes to it.", cause: failure)
                }
                if failure.isTLS {
                    throw StoreError(.unreachable, "TLS verification failed while \(what) at \(Self.origin(of: request.url)). Check the endpoint's certificate, or give the CA bundle that signed it.", cause: failure)
                }
                if failure.isRetryable, attempt < retry.maxAttempts {
                    try await pause(after: attempt)
                    continue
                }
                throw StoreError(.unreachable, "Could not reach \(Self.origin(of: request.url)) while \(what) (\(attempt) tries). Check the endpoint and the network, then try again.", cause: failure)
            }
        }
    }

    private func pause(after attempt: Int) async throws(StoreError) {
        do {
            try await Task.sleep(for: retry.delay(afterAttempt: attempt))
        } catch {
            throw StoreError(.unreachable, "Cancelled while waiting to retry.", cause: error)
        }
    }

    /// `scheme://host:port` of a URL, for messages.
    public static func origin(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return url }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }
}
