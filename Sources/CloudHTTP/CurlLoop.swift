import CCurl
import Foundation

/// The process-wide libcurl multi loop: one dedicated thread drives every
/// transfer, so blocking curl calls never run on Swift's cooperative pool.
/// The multi handle's connection cache gives connection reuse; adding many
/// easy handles at once gives parallel transfers on that one thread.
final class CurlLoop: @unchecked Sendable {
    static let shared = CurlLoop()

    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var pending: [CurlTransfer] = []
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    private init() {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: libcurl cannot allocate a multi handle") }
        self.multi = multi
        // Bound parallel connections per host; further transfers queue in curl.
        bc_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 32)
        bc_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 64)
        let thread = Thread { [self] in self.run() }
        thread.name = "bucketchat-curl"
        thread.start()
    }

    /// Hands a transfer to the loop thread.
    func submit(_ transfer: CurlTransfer) {
        lock.lock()
        pending.append(transfer)
        lock.unlock()
        curl_multi_wakeup(multi)
    }

    private func run() {
        while true {
            lock.lock()
            let incoming = pending
            pending.removeAll()
            lock.unlock()
            for transfer in incoming {
                guard curl_multi_add_handle(multi, transfer.easy) == CURLM_OK else {
                    transfer.finish(code: CURLE_FAILED_INIT)
                    continue
                }
                active[transfer.easy] = transfer
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)

            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = bc_msg_result(message)
                curl_multi_remove_handle(multi, easy)
                if let transfer = active.removeValue(forKey: easy) {
                    transfer.finish(code: code)
                }
            }

            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, 1000, &ready)
        }
    }
}
