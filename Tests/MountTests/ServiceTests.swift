import Foundation
import Testing

/// Running a mount as a service: systemd's readiness notification, and the
/// mount(8) helper that `mount -t fuse.bucketchat` and /etc/fstab use.
@Suite(.serialized, .enabled(if: MountHarness.canMount, "needs /dev/fuse and fusermount3 (apt-get install fuse3)"))
struct ServiceTests {
    /// A datagram socket standing in for systemd's NOTIFY_SOCKET.
    final class NotifySocket {
        let path: String
        let descriptor: Int32

        init(path: String) throws {
            self.path = path
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            guard descriptor >= 0 else { throw HarnessError("socket failed") }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
            }
            let bound = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw HarnessError("bind \(path) failed") }
            var timeout = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        /// The next datagram, or nil after 30 s.
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
        }

        deinit {
            close(descriptor)
            unlink(path)
        }
    }

    @Test func theMountTellsSystemdWhenItIsReadyAndWhenItStops() throws {
        let socketPath = FileManager.default.temporaryDirectory.appendingPathComponent("bc-notify-\(UUID().uuidString.prefix(8))").path
        let notify = try NotifySocket(path: socketPath)
        let h = try MountHarness(environment: ["NOTIFY_SOCKET": socketPath])
        defer { h.tearDown() }
        try h.identity("alice")
        let path = try h.mount("alice")
        let ready = try #require(notify.receive(), "no READY=1 within 30 s")
        #expect(ready.hasPrefix("READY=1\n") && ready.contains("STATUS=mounted ") && ready.contains(path), "\(ready)")
        let unmount = try h.run("alice", ["umount", path])
        #expect(unmount.status == 0, "\(unmount.stderr)")
        let stopping = try #require(notify.receive(), "no STOPPING=1")
        #expect(stopping.hasPrefix("STOPPING=1"))
    }

    @Test func mountDashTAndAnFstabLineMountThroughTheHelper() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        try h.identity("alice")
        let helper = "/sbin/mount.fuse.bucketchat"
        let source = MountHarness.repository.appendingPathComponent("contrib/mount.fuse.bucketchat").path
        // Installed for the test (as scripts/install.sh does) unless an installed one is already there.
        let installedHere = !FileManager.default.fileExists(atPath: helper)
        if installedHere { try FileManager.default.copyItem(atPath: source, toPath: helper) }
        defer { if installedHere { try? FileManager.default.removeItem(atPath: helper) } }
        let home = h.root.appendingPathComponent("alice").path
        let bin = MountHarness.products.appendingPathComponent("bucketchat").path
        let options = "identity=\(home),bin=\(bin),_netdev,noauto,nofail,x-systemd.automount,default_permissions"

        let first = h.root.appendingPathComponent("mnt-t").path
        try FileManager.default.createDirectory(atPath: first, withIntermediateDirectories: true)
        let mounted = try h.shell("mount -t fuse.bucketchat '\(h.store)' '\(first)' -o '\(options)'", timeout: 90)
        #expect(mounted.status == 0, "\(mounted.stdout)\(mounted.stderr)")
        #expect(MountHarness.isMounted(first))
        #expect(h.text(first + "/me").contains("sender_id\tuser:alice"), "the mount runs as the identity the options name")
        try FileManager.default.createDirectory(atPath: first + "/lobby", withIntermediateDirectories: false)
        #expect(try h.run("alice", ["umount", first]).status == 0)

        // The same as a line of an fstab (mount --fstab reads another file than /etc/fstab).
        let second = h.root.appendingPathComponent("mnt-fstab").path
        try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
        let fstab = h.root.appendingPathComponent("fstab")
        try "\(h.store) \(second) fuse.bucketchat \(options) 0 0\n".write(to: fstab, atomically: true, encoding: .utf8)
        let fromFstab = try h.shell("mount --fstab '\(fstab.path)' '\(second)'", timeout: 90)
        #expect(fromFstab.status == 0, "\(fromFstab.stdout)\(fromFstab.stderr)")
        #expect(MountHarness.isMounted(second))
        #expect(FileManager.default.fileExists(atPath: second + "/by-name/lobby"), "the room made through the first mount is there")
        #expect(try h.run("alice", ["umount", second]).status == 0)
    }

    @Test func theHelperSaysWhatIsMissing() throws {
        let h = try MountHarness()
        defer { h.tearDown() }
        let helper = MountHarness.repository.appendingPathComponent("contrib/mount.fuse.bucketchat").path
        let usage = try h.shell("'\(helper)' onlyone")
        #expect(usage.status == 1 && usage.stderr.contains("usage: mount.fuse.bucketchat"))
        let noBinary = try h.shell("'\(helper)' /tmp/store /tmp/mnt -o bin=/nonexistent/bucketchat")
        #expect(noBinary.status == 1 && noBinary.stderr.contains("cannot find the bucketchat binary"))
    }
}
