// swift-tools-version:6.0
import PackageDescription

// One target per layer; dependencies point one way (see docs/ARCHITECTURE.md).
// Each C library enters through exactly one `C*` wrapper target, and each
// wrapper has exactly one importing Swift target (CSodium → ChatProtocol,
// CCurl and CCrypto → CloudHTTP).
let package = Package(
    name: "bucketchat",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bucketchat", targets: ["bucketchat"]),
        .library(name: "ChatProtocol", targets: ["ChatProtocol"]),
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
        .library(name: "Stores", targets: ["Stores"]),
        .library(name: "ChatEngine", targets: ["ChatEngine"]),
        // The two cloud backends, for the listing-parser fuzz targets in Fuzz/.
        .library(name: "S3Store", targets: ["S3Store"]),
        .library(name: "GCSStore", targets: ["GCSStore"]),
        .library(name: "RoomFileSystem", targets: ["RoomFileSystem"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // The web face (`bucketchat serve`) only: WebFace is their one importer.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        // Hummingbird's own transport; WebFace writes the answer to a refused WebSocket upgrade with it.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CFuse",
            pkgConfig: "fuse3",
            providers: [.apt(["libfuse3-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "ChatProtocol",
            dependencies: ["CSodium"]
        ),
        // The store interface, keys, locations, errors, local folder and memory stores.
        .target(name: "ObjectStore", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // The client engine: journal, outbox and uploader (write path); sync (read path).
        .target(
            name: "ChatEngine",
            dependencies: ["ChatProtocol", "ObjectStore", .product(name: "Logging", package: "swift-log")]
        ),
        // The mount's filesystem as plain calls (paths, handles, errnos): no kernel needed.
        .target(
            name: "RoomFileSystem",
            dependencies: ["ChatEngine", "ChatProtocol", "ObjectStore"]
        ),
        // `bucketchat serve`: HTTP, the JSON API and the live WebSocket over a
        // RoomHost, plus the browser client's files (web/, embedded). The only
        // importer of Hummingbird.
        .target(
            name: "WebFace",
            dependencies: [
                "ChatEngine",
                "ChatProtocol",
                "ObjectStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libfuse's session, operation table and replies; translates only.
        .target(
            name: "FUSEMount",
            dependencies: ["RoomFileSystem", "CFuse"]
        ),
        // HTTP over libcurl plus the digests and signatures cloud stores need.
        .target(
            name: "CloudHTTP",
            dependencies: ["ObjectStore", "CCurl", "CCrypto"]
        ),
        .target(
            name: "S3Store",
            dependencies: ["ObjectStore", "CloudHTTP"]
        ),
        .target(
            name: "GCSStore",
            dependencies: ["ObjectStore", "CloudHTTP"]
        ),
        // The terminal: raw mode and its restoring, keys, display widths, the
        // input line, styled rows; every escape sequence in Escape.swift.
        // Foundation only: it knows nothing of chat.
        .target(name: "TerminalUI"),
        // Opens any store location (folder, s3://, gs://) as an ObjectStore.
        .target(
            name: "Stores",
            dependencies: ["ObjectStore", "S3Store", "GCSStore"]
        ),
        .executableTarget(
            name: "bucketchat",
            dependencies: [
                "ChatProtocol",
                "ChatEngine",
                "ObjectStore",
                "Stores",
                "S3Store",
                "GCSStore",
                "RoomFileSystem",
                "FUSEMount",
                "WebFace",
                "TerminalUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        // Tools apart from the product (Sources/Tools/): the room generator,
        // benchmarks and test helpers. Tests and scripts/bench run them by name.
        .executableTarget(
            name: "bucketchat-roomgen",
            dependencies: [
                "ChatProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/bucketchat-roomgen"
        ),
        // Engine benchmarks: delivery latency between clients, cold and warm room opens.
        .executableTarget(
            name: "engine-bench",
            dependencies: ["ChatEngine", "ChatProtocol", "ObjectStore", "Stores"],
            path: "Sources/Tools/engine-bench"
        ),
        // Benchmarks and the cross-process race helper used by the tests.
        .executableTarget(
            name: "store-bench",
            dependencies: ["ObjectStore", "Stores", "S3Store", "GCSStore"],
            path: "Sources/Tools/store-bench"
        ),
        // Sends to a local folder store and prints each acknowledged event id;
        // the crash tests SIGKILL it and restart it to drain.
        .executableTarget(
            name: "engine-crash-helper",
            dependencies: ["ChatEngine", "ChatProtocol", "ObjectStore"],
            path: "Sources/Tools/engine-crash-helper"
        ),
        // Send throughput into the journal with the uploader running (scripts/bench/engine-send.sh).
        .executableTarget(
            name: "engine-send-bench",
            dependencies: ["ChatEngine", "ChatProtocol", "ObjectStore"],
            path: "Sources/Tools/engine-send-bench"
        ),
        .testTarget(
            name: "ChatEngineTests",
            dependencies: ["ChatEngine", "ChatProtocol", "ObjectStore", "S3Store", "GCSStore", "CloudHTTP"]
        ),
        .testTarget(
            name: "ChatProtocolTests",
            dependencies: ["ChatProtocol"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "BucketChatCLITests",
            dependencies: ["bucketchat", "bucketchat-roomgen", "S3Store", "CloudHTTP"]
        ),
        .testTarget(
            name: "RoomFileSystemTests",
            dependencies: ["RoomFileSystem", "ChatEngine", "ChatProtocol", "ObjectStore"]
        ),
        // Real FUSE mounts of the built `bucketchat` (needs /dev/fuse and fusermount3).
        .testTarget(
            name: "MountTests",
            dependencies: ["bucketchat", "bucketchat-roomgen", "S3Store", "CloudHTTP"]
        ),
        // The web face's HTTP API, auth and WebSocket, in process.
        .testTarget(
            name: "WebFaceTests",
            dependencies: [
                "WebFace",
                "ChatEngine",
                "ChatProtocol",
                "ObjectStore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "TerminalUITests",
            dependencies: ["TerminalUI"]
        ),
        .testTarget(
            name: "ObjectStoreTests",
            dependencies: ["ObjectStore"]
        ),
        .testTarget(
            name: "CloudStoreTests",
            dependencies: ["ObjectStore", "CloudHTTP", "S3Store", "GCSStore", "Stores"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
