import ArgumentParser

@main
struct BucketChat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bucketchat",
        abstract: "Serverless chat whose rooms live in an object-storage bucket."
    )
}
