import CCurl
import Foundation

/// One libcurl easy handle in flight, with the buffers it reads and fills.
/// Owned by the `CurlLoop` thread from submission until it resumes.
final class CurlTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// A stable copy of the request body: curl reads it after setopt returns.
    private var requestBody: UnsafeMutableRawBufferPointer?
    private var errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    var responseBody = Data()
    var responseHeaders: [(name: String, value: String)] = []
    /// Where a 2xx body streams instead of `responseBody`, when the request set one.
    private let receiver: (any HTTPBodyReceiver)?
    /// Whether this answer's body goes to `receiver`: decided at its first byte.
    private var streaming: Bool?
    private var delivered: Int64 = 0
    private var receiverStopped = false
    let continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>

    init?(_ request: HTTPRequest, options: HTTPClient.Options, continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>) {
        guard let easy = curl_easy_init() else { return nil }
        self.easy = easy
        self.continuation = continuation
        self.receiver = request.bodyReceiver
        errorBuffer.initialize(to: 0)
        configure(request, options: options)
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        requestBody?.deallocate()
        errorBuffer.deallocate()
    }

    private func configure(_ request: HTTPRequest, options: HTTPClient.Options) {
        bc_easy_setopt_string(easy, CURLOPT_URL, request.url)
        bc_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        // TLS verification is never turned off; a private CA is added instead.
        bc_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        bc_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        if let caBundle = options.caBundle { bc_easy_setopt_string(easy, CURLOPT_CAINFO, caBundle) }
        bc_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds)
        bc_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, request.bodyReceiver == nil ? options.totalTimeoutMilliseconds : 0)
        // A stalled transfer (under 1 byte/s for this long) counts as a timeout.
        bc_easy_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, 1)
        bc_easy_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, options.stallSeconds)
        bc_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        bc_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))

        switch request.method {
        case "GET":
            bc_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case "HEAD":
            bc_easy_setopt_long(easy, CURLOPT_NOBODY, 1)
        default:
            bc_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if request.method != "GET" && request.method != "HEAD" {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, request.body.count), alignment: 1)
            request.body.copyBytes(to: buffer.bindMemory(to: UInt8.self), count: request.body.count)
            requestBody = buffer
            bc_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            bc_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, buffer.baseAddress)
        }

        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            list = curl_slist_append(list, "\(header.name): \(header.value)")
        }
        // Suppress what curl would add on its own: a form Content-Type for
        // bodies, and the Expect: 100-continue round trip for large ones.
        if !request.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            list = curl_slist_append(list, "Content-Type:")
        }
        list = curl_slist_append(list, "Expect:")
        headerList = list
        bc_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)

        let me = Unmanaged.passUnretained(self).toOpaque()
        bc_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { pointer, size, count, user in
            guard let pointer, let user else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
            let n = size * count
            return transfer.takeBody(UnsafeRawBufferPointer(start: pointer, count: n)) ? n : 0
        }
        bc_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me)
        bc_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION) { pointer, size, count, user in
            guard let pointer, let user else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
            let n = size * count
            let line = pointer.withMemoryRebound(to: UInt8.self, capacity: n) {
                String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
            }
            transfer.takeHeaderLine(line)
            return n
        }
        bc_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me)
    }

    /// Keeps or streams body bytes; false (curl then aborts) when the receiver stops.
    private func takeBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if streaming == nil {
            var status = 0
            bc_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            streaming = receiver != nil && (200...299).contains(status)
            if streaming == true, let receiver, !receiver.start(headers: responseHeaders) {
                receiverStopped = true
                return false
            }
        }
        guard streaming == true, let receiver else {
            responseBody.append(contentsOf: bytes)
            return true
        }
        guard receiver.receive(bytes) else {
            receiverStopped = true
            return false
        }
        delivered += Int64(bytes.count)
        return true
    }

    private func takeHeaderLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new status line (after 100 Continue or a redirect) starts over.
            responseHeaders.removeAll()
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = trimmed[..<colon].lowercased()
        let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        responseHeaders.append((name: name, value: value))
    }

    /// Called on the loop thread when curl is done with the handle.
    func finish(code: CURLcode) {
        if code == CURLE_OK {
            if streaming == nil, let receiver {
                // A body-less 2xx (an empty object) still starts the receiver.
                var status = 0
                bc_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
                if (200...299).contains(status), !receiver.start(headers: responseHeaders) {
                    var failure = TransportFailure(curlCode: Int(CURLE_WRITE_ERROR.rawValue), message: "the receiver refused the response",
                                                   isRetryable: false, isTLS: false)
                    failure.stoppedByReceiver = true
                    continuation.resume(returning: .failure(failure))
                    return
                }
            }
            var status = 0
            bc_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            continuation.resume(returning: .success(HTTPResponse(status: status, headers: responseHeaders, body: responseBody)))
            return
        }
        let detail = String(cString: errorBuffer)
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let retryable: Set<CURLcode> = [
            CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,
            CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING,
            CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM,
        ]
        let tls: Set<CURLcode> = [CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM]
        var failure = TransportFailure(curlCode: Int(code.rawValue), message: text,
                                       isRetryable: retryable.contains(code) && delivered == 0 && !receiverStopped, isTLS: tls.contains(code))
        failure.bytesDelivered = delivered
        failure.stoppedByReceiver = receiverStopped
        continuation.resume(returning: .failure(failure))
    }
}
