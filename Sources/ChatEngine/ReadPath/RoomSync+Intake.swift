import ChatProtocol
import Foundation
import ObjectStore

/// Fetching and intake: the objects a listing found come from the store (or
/// the cache) in parallel and go into the ledger in batches, checked off the
/// actor while the next ones arrive.
extension RoomSync {
    /// Fetches objects, at most ``SyncSettings/parallelFetches`` at once
    /// (reading unchanged ones from the cache), and takes them into the
    /// ledger in batches as they arrive: a batch's lines are parsed and its
    /// signatures checked on every core while the next objects are fetched,
    /// so a large room's first sync costs the longer of the two, not their
    /// sum. Returns the keys fetched; the caller concludes the ledger.
    func fetchAndTake(_ infos: [ObjectInfo], progress: (@Sendable (Int, Int) -> Void)?) async throws(StoreError) -> Set<String> {
        // metadata.json first: its creator key lets the first batches' signatures be found.
        func isMetadata(_ info: ObjectInfo) -> Bool {
            if case .metadata? = RoomObjectKey(key: info.key) { return true } else { return false }
        }
        let ordered = infos.filter(isMetadata) + infos.filter { !isMetadata($0) }
        intake = Intake()
        var missing: [ObjectInfo] = []
        // A local folder's objects are read where they are; copying them to the cache would only cost time and disk.
        let cache = store.isLocal ? nil : self.cache
        var done = 0
        for info in ordered {
            if let bytes = cache?.bytes(for: info) {
                await receive(StoredObject(key: info.key, bytes: bytes))
                done += 1
            } else {
                missing.append(info)
            }
        }
        let store = self.store
        let limit = max(1, settings.parallelFetches)
        do {
            try await withThrowingTaskGroup(of: StoredObject?.self) { group in
                var next = 0
                func launch() {
                    let info = missing[next]
                    next += 1
                    group.addTask {
                        // Keys other tools wrote may not be valid keys for us: skip them here,
                        // the ledger reports them as skipped.
                        guard let key = try? ObjectKey(info.key) else { return StoredObject(key: info.key, bytes: []) }
                        let bytes: [UInt8]
                        do {
                            bytes = try await store.bytes(key)
                        } catch {
                            if let failure = error as? StoreError, failure.code == .notFound { return nil }
                            throw error
                        }
                        cache?.store(bytes, for: info)
                        return StoredObject(key: info.key, bytes: bytes)
                    }
                }
                while next < missing.count && next < limit { launch() }
                while let object = try await group.next() {
                    if let object {
                        await receive(object)
                        done += 1
                    }
                    progress?(done, infos.count)
                    if next < missing.count { launch() }
                }
            }
        } catch let error as StoreError {
            // What was taken in stays unconcluded and unknown: the next sync fetches it again (from the cache, if any).
            _ = await finishIntake()
            throw error
        } catch {
            _ = await finishIntake()
            throw StoreError(.io, "fetching objects of room \(roomID) failed: \(error)", cause: nil)
        }
        return await finishIntake()
    }

    /// Fetched objects on their way into the ledger: the batch being filled,
    /// and the one being checked. Each batch is prepared with the keys of
    /// every batch taken in before it; one is checked at a time.
    struct Intake {
        var fetched: Set<String> = []
        var batch: [StoredObject] = []
        var batchBytes = 0
        var checking: Task<RoomLedger.Prepared, Never>?
    }

    private func receive(_ object: StoredObject) async {
        intake.fetched.insert(object.key)
        intake.batch.append(object)
        intake.batchBytes += object.bytes.count
        if intake.batchBytes >= settings.checkBatchBytes || intake.batch.count >= settings.checkBatchObjects { await submitBatch() }
    }

    private func submitBatch() async {
        let objects = intake.batch
        guard !objects.isEmpty else { return }
        intake.batch = []
        intake.batchBytes = 0
        if let previous = intake.checking { ledger.take(await previous.value) }
        let preparer = ledger.preparer
        intake.checking = Task { await RoomSync.offThePool { preparer.prepare(objects) } }
    }

    /// Checks and takes in what is left; returns the keys fetched.
    private func finishIntake() async -> Set<String> {
        await submitBatch()
        if let last = intake.checking { ledger.take(await last.value) }
        let fetched = intake.fetched
        intake = Intake()
        return fetched
    }

    /// Runs CPU-bound work (which spreads itself over the cores) on a
    /// dispatch queue, not on a thread of Swift's cooperative pool, which the
    /// fetches need meanwhile.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}
