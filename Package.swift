// swift-tools-version:6.0
import PackageDescription

// One target per layer; dependencies point one way (see docs/ARCHITECTURE.md).
// Each C library enters through exactly one `C*` wrapper target.
let package = Package(
    name: "bucketchat",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bucketchat", targets: ["bucketchat"]),
        .library(name: "ChatProtocol", targets: ["ChatProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(
            name: "ChatProtocol",
            dependencies: ["CSodium"]
        ),
        .executableTarget(
            name: "bucketchat",
            dependencies: [
                "ChatProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "bucketchat-roomgen",
            dependencies: [
                "ChatProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ChatProtocolTests",
            dependencies: ["ChatProtocol"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "BucketChatCLITests",
            dependencies: ["bucketchat", "bucketchat-roomgen"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
