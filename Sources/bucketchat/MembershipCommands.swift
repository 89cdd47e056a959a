import ArgumentParser
import ChatEngine
import ChatProtocol

struct Invite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Invite someone to a room (any member may).")

    @Argument(help: "The room: its id or its name.") var room: String
    @Argument(help: "Who: a sender id such as user:bob.") var user: String
    @Argument(help: ArgumentHelp("Pin the key the invitee must join with (base64, from their `keys show`), as the ctl file's `invite USER [KEY]`.",
                                 valueName: "key"))
    var keyArgument: String?
    @Option(name: .customLong("key"), help: ArgumentHelp("The same as the KEY argument.", valueName: "base64"))
    var keyOption: String?
    @Option(name: .customLong("display-name"), help: "A display name for the invitee.") var displayName: String?
    @OptionGroup var action: ActionOptions

    func run() async throws {
        if keyArgument != nil, keyOption != nil { throw CLIError("give the key once: as the KEY argument or with --key, not both") }
        let pinned: PublicKey?
        if let key = keyArgument ?? keyOption {
            guard let parsed = PublicKey(base64: key) else {
                throw CLIError("the key to pin for \(user) must be base64 of a 32-byte Ed25519 public key (from their `bucketchat keys show`); got \"\(key)\"")
            }
            pinned = parsed
        } else {
            pinned = nil
        }
        try await action.perform(room: room) { [user, displayName] in [try await $0.act(.invite(userID: user, key: pinned, displayName: displayName))] }
    }
}

struct Join: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Join a room you were invited to (or a public one).")

    @Argument(help: "The room: its id or its name.") var room: String
    @Option(name: .customLong("display-name"), help: "The name others see (default: from config.toml).") var displayName: String?
    @OptionGroup var action: ActionOptions

    func run() async throws {
        var name = displayName
        if name == nil { name = try await Client.load(action.storeOptions).displayName }
        try await action.perform(room: room) { [name] in [try await $0.act(.join(displayName: name))] }
    }
}

struct Leave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Leave a room.")
    @Argument(help: "The room: its id or its name.") var room: String
    @OptionGroup var action: ActionOptions

    func run() async throws {
        try await action.perform(room: room) { [try await $0.act(.leave)] }
    }
}

/// What `kick` and `ban` take: the room, who, and why, as the ctl file's
/// `kick USER [REASON]`.
struct Removal: ParsableArguments {
    @Argument(help: "The room: its id or its name.") var room: String
    @Argument(help: "Who: a sender id.") var user: String
    @Argument(help: "Why (optional; words are joined by spaces).") var reasonWords: [String] = []
    @Option(name: .customLong("reason"), help: "Why, as an option (the same as the REASON argument).") var reasonOption: String?
    @OptionGroup var action: ActionOptions

    func perform(ban: Bool) async throws {
        let reason = try Reason.either(reasonWords, reasonOption)
        try await action.perform(room: room) { [user] in [try await $0.act(ban ? .ban(userID: user, reason: reason) : .kick(userID: user, reason: reason))] }
    }
}

struct Kick: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a member from a room (admins only).")
    @OptionGroup var removal: Removal

    func run() async throws { try await removal.perform(ban: false) }
}

struct Ban: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ban someone from a room for good (admins only).")
    @OptionGroup var removal: Removal

    func run() async throws { try await removal.perform(ban: true) }
}

struct Name: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "name", abstract: "Rename a room (admins only).")
    @Argument(help: "The room: its id or its name.") var room: String
    @Argument(help: "The new name (words are joined by spaces, as in the ctl file's `name TEXT`).") var words: [String]
    @OptionGroup var action: ActionOptions

    func run() async throws {
        let name = words.joined(separator: " ")
        try await action.perform(room: room) { [try await $0.act(.setName(name))] }
    }
}

struct Topic: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set a room's topic (admins only).")
    @Argument(help: "The room: its id or its name.") var room: String
    @Argument(help: "The topic (words are joined by spaces, as in the ctl file's `topic TEXT`).") var words: [String]
    @OptionGroup var action: ActionOptions

    func run() async throws {
        let topic = words.joined(separator: " ")
        try await action.perform(room: room) { [try await $0.act(.setTopic(topic))] }
    }
}
