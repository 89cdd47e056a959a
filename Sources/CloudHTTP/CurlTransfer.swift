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
    /// A body read from a file as curl sends it, and how far curl has read.
    private let upload: FileRegion?
    private var uploadPosition: Int64 = 0
    /// Why the file body could not be read; set, the transfer fails unretried.
    private var uploadFailure: String?
    let continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>

    init?(_ request: HTTPRequest, options: HTTPClient.Options, continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>) {
        guard let easy = curl_easy_init() else { return nil }
        self.easy = easy
        self.continuation = continuation
        self.receiver = request.bodyReceiver
        self.upload = request.method == "GET" || request.method == "HEAD" ? nil : request.bodyRegion
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
        let me = Unmanaged.passUnretained(self).toOpaque()
        if let upload {
            // PUT-style upload of a known size, whatever the verb said above
            // (CUSTOMREQUEST keeps it): curl pulls the bytes from the file.
            bc_easy_setopt_long(easy, CURLOPT_UPLOAD, 1)
            bc_easy_setopt_off(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.length))
            bc_easy_setopt_data_callback(easy, CURLOPT_READFUNCTION) { pointer, size, count, user in
                guard let pointer, let user else { return bc_readfunc_abort() }
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
                return transfer.readBody(into: UnsafeMutableRawPointer(pointer), capacity: size * count)
            }
            bc_easy_setopt_pointer(easy, CURLOPT_READDATA, me)
            // curl rewinds when it resends on a reused connection that died.
            bc_easy_setopt_seek_callback(easy, CURLOPT_SEEKFUNCTION) { user, offset, origin in
                guard let user, origin == SEEK_SET else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
                return transfer.seekBody(to: Int64(offset)) ? Int32(CURL_SEEKFUNC_OK) : Int32(CURL_SEEKFUNC_FAIL)
            }
            bc_easy_setopt_pointer(easy, CURLOPT_SEEKDATA, me)
        } else if request.method != "GET" && request.method != "HEAD" {
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

    /// Fills curl's buffer with the next bytes of the file body; 0 once all
    /// are sent, an abort when the file cannot give what it held.
    private func readBody(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        guard let upload else { return 0 }
        let wanted = Int(min(Int64(capacity), upload.length - uploadPosition))
        guard wanted > 0 else { return 0 }
        let n = upload.file.readAvailable(into: buffer, count: wanted, at: upload.offset + uploadPosition)
        guard n > 0 else {
            uploadFailure = n < 0
                ? "Could not read \(upload.file.path) (\(String(cString: strerror(errno))))"
                : "\(upload.file.path) became shorter during the upload (it ended before byte \(upload.offset + uploadPosition + 1) of \(upload.file.size))"
            return bc_readfunc_abort()
        }
        uploadPosition += Int64(n)
        return n
    }

    /// Moves the file body's read position (from its start); false if out of range.
    private func seekBody(to position: Int64) -> Bool {
        guard let upload, position >= 0, position <= upload.length else { return false }
        uploadPosition = position
        return true
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
        if let uploadFailure {
            failure = TransportFailure(curlCode: Int(code.rawValue), message: uploadFailure, isRetryable: false, isTLS: false)
            failure.bodyReadFailure = uploadFailure
        }
        continuation.resume(returning: .failure(failure))
    }
}
