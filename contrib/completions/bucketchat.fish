function __bucketchat_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __bucketchat_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __bucketchat_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __bucketchat_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __bucketchat_parse_tokens -S
    set -l unparsed_tokens (__bucketchat_tokens -pc)
    switch $unparsed_tokens[1]
    case 'bucketchat'
        __bucketchat_parse_subcommand 0 'h/help'
        switch $unparsed_tokens[1]
        case 'init'
            __bucketchat_parse_subcommand 0 'name=' 'display-name=' 'store=' 'h/help'
        case 'room'
            __bucketchat_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __bucketchat_parse_subcommand 1 'description=' 'public' 'private' 'wait' 'store=' 'h/help'
            case 'list'
                __bucketchat_parse_subcommand 0 'json' 'store=' 'h/help'
            case 'info'
                __bucketchat_parse_subcommand 1 'json' 'trusted-keys=+' 'store=' 'h/help'
            end
        case 'invite'
            __bucketchat_parse_subcommand 3 'key=' 'display-name=' 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'join'
            __bucketchat_parse_subcommand 1 'display-name=' 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'leave'
            __bucketchat_parse_subcommand 1 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'kick'
            __bucketchat_parse_subcommand -r 3 'reason=' 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'ban'
            __bucketchat_parse_subcommand -r 3 'reason=' 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'name'
            __bucketchat_parse_subcommand -r 2 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'topic'
            __bucketchat_parse_subcommand -r 2 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'send'
            __bucketchat_parse_subcommand -r 2 'emote' 'notice' 'file=' 'name=' 'caption=' 'mimetype=' 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'chat'
            __bucketchat_parse_subcommand 1 'notify' 'lines=' 'upload-timeout=' 'trusted-keys=+' 'store=' 'h/help'
        case 'files'
            __bucketchat_parse_subcommand 1 'json' 'trusted-keys=+' 'store=' 'h/help'
        case 'download'
            __bucketchat_parse_subcommand 2 'o/output=' 'force' 'max-size=' 'trusted-keys=+' 'store=' 'h/help'
        case 'reply'
            __bucketchat_parse_subcommand -r 3 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'react'
            __bucketchat_parse_subcommand 3 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'edit'
            __bucketchat_parse_subcommand -r 3 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'redact'
            __bucketchat_parse_subcommand -r 3 'reason=' 'wait' 'upload-timeout=' 'store=' 'h/help'
        case 'log'
            __bucketchat_parse_subcommand 1 'since=' 'limit=' 'json' 'trusted-keys=+' 'store=' 'h/help'
        case 'follow'
            __bucketchat_parse_subcommand 1 'lines=' 'json' 'trusted-keys=+' 'store=' 'h/help'
        case 'members'
            __bucketchat_parse_subcommand 1 'json' 'trusted-keys=+' 'store=' 'h/help'
        case 'flush'
            __bucketchat_parse_subcommand -r 1 'store=' 'h/help'
        case 'keys'
            __bucketchat_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'generate'
                __bucketchat_parse_subcommand 0 'name=' 'sender-id=' 'key-file=' 'h/help'
            case 'show'
                __bucketchat_parse_subcommand 0 'json' 'key-file=' 'h/help'
            case 'add-device'
                __bucketchat_parse_subcommand 1 'device-id=' 'room=+' 'wait' 'upload-timeout=' 'store=' 'h/help'
            case 'rotate'
                __bucketchat_parse_subcommand 0 'store=' 'h/help'
            case 'trust'
                __bucketchat_parse_subcommand 2 'room=' 'store=' 'h/help'
            end
        case 'verify'
            __bucketchat_parse_subcommand 1 'store=' 'room=' 'json' 'attachments' 'trusted-keys=+' 'key=' 'creator-key=' 'h/help'
        case 'inspect'
            __bucketchat_parse_subcommand 2 'json' 'trusted-keys=+' 'store=' 'h/help'
        case 'store'
            __bucketchat_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'create-bucket'
                __bucketchat_parse_subcommand 1 'object-lock-days=' 'governance' 'project=' 'h/help'
            case 'enable-notifications'
                __bucketchat_parse_subcommand 1 'h/help'
            end
        case 'mount'
            __bucketchat_parse_subcommand 1 'f' 'o=+' 'trusted-keys=+' 'store=' 'h/help'
        case 'umount'
            __bucketchat_parse_subcommand 1 'h/help'
        case 'serve'
            __bucketchat_parse_subcommand 0 'host=' 'port=' 'open' 'trusted-keys=+' 'store=' 'h/help'
        case 'help'
            __bucketchat_parse_subcommand -r 1 
        end
    end
end

function __bucketchat_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __bucketchat_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __bucketchat_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __bucketchat_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__bucketchat_tokens -p)
    if test -z "$(__bucketchat_tokens -t)"
        set -l index (count (__bucketchat_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'bucketchat' -f
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'init' -d 'Set up this device: an identity (user:NAME), its key, and config.toml.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'room' -d 'Create, list and describe rooms.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'invite' -d 'Invite someone to a room (any member may).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'join' -d 'Join a room you were invited to (or a public one).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'leave' -d 'Leave a room.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'kick' -d 'Remove a member from a room (admins only).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'ban' -d 'Ban someone from a room for good (admins only).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'name' -d 'Rename a room (admins only).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'topic' -d 'Set a room\'s topic (admins only).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'send' -d 'Send a message: the words given, or each line of stdin as its own message.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'chat' -d 'Chat in a room, full screen: the live timeline above, an input line below.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'files' -d 'List the files shared in a room: name, size, sender, time and REF.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'download' -d 'Download a file shared in a room, checked against the SHA-256 its event names.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'reply' -d 'Reply to an event (starts or continues its thread).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'react' -d 'React to an event (undo by redacting the reaction).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'edit' -d 'Replace the text of one of your messages (the latest edit wins).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'redact' -d 'Hide an event\'s content (yours, or anyone\'s if you are an admin).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'log' -d 'Print a room\'s verified timeline.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'follow' -d 'Print a room\'s timeline as it grows, like tail -f; Ctrl-C stops.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'members' -d 'List a room\'s members: sender id, membership, display name, number of keys.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'flush' -d 'Upload everything journaled on this device, and wait until it is in the store.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'keys' -d 'Create and show this device\'s signing key; trust other clients\' keys for legacy rooms.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'verify' -d 'Verify rooms: signatures, hash chains, membership rules and state.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'inspect' -d 'Show everything known about one event: where it is stored, its hash, signature and key, its place in the device\'s chain, and what the rules made of it.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'store' -d 'Set up a store for rooms.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'mount' -d 'Mount your rooms as a filesystem: cat and tail -f timeline, echo into send.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'umount' -d 'Unmount a bucketchat mount and wait up to 30 s for its daemon to exit.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'serve' -d 'Chat in the browser: a local web client over your rooms, live over a WebSocket.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat init" name' -l 'name' -d 'Your name: the identity becomes user:NAME.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat init" display-name' -l 'display-name' -d 'The name others see (default: NAME).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat init" store' -l 'store' -d 'The store rooms live in by default (a folder, s3://… or gs://…).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat room" -eq 1' -fa 'create' -d 'Create a room; prints its room id alone on stdout.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat room" -eq 1' -fa 'list' -d 'List the rooms in the store: id, name, and whether this device writes to it.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat room" -eq 1' -fa 'info' -d 'Show a room\'s metadata, state, verification and upload status.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room create" description' -l 'description' -d 'A description stored in metadata.json.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room create" public' -l 'public' -d 'Anyone may join without an invitation.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room create" private' -l 'private' -d 'Encrypt the room\'s messages, reactions, edits and redactions end to end.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room create" wait' -l 'wait' -d 'Wait until the room is uploaded before returning.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room create" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room list" json' -l 'json' -d 'One JSON object per room.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room list" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room info" json' -l 'json' -d 'Print one JSON object.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room info"' -l 'trusted-keys' -d 'For legacy rooms (no creator_key in metadata.json): a JSON file {"sender_id": "base64 public key", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room info" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat room info" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat invite" key' -l 'key' -d 'The same as the KEY argument.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat invite" display-name' -l 'display-name' -d 'A display name for the invitee.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat invite" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat invite" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat invite" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat invite" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat join" display-name' -l 'display-name' -d 'The name others see (default: from config.toml).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat join" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat join" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat join" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat join" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat leave" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat leave" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat leave" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat leave" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat kick" reason' -l 'reason' -d 'Why, as an option (the same as the REASON argument).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat kick" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat kick" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat kick" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat kick" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat ban" reason' -l 'reason' -d 'Why, as an option (the same as the REASON argument).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat ban" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat ban" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat ban" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat ban" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat name" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat name" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat name" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat name" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat topic" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat topic" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat topic" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat topic" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat send" emote' -l 'emote' -d 'Send as an emote (m.emote).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat send" notice' -l 'notice' -d 'Send as a notice (m.notice), e.g. from a bot.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat send" file' -l 'file' -d 'Share a file (m.file): its bytes are copied into the journal\'s blob area and checked by SHA-256 on every download.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat send" name' -l 'name' -d 'The shared file\'s name (default: the file\'s own name).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat send" caption' -l 'caption' -d 'Text shown with the shared file (default: its name).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat send" mimetype' -l 'mimetype' -d 'The shared file\'s media type (default: guessed from its name).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat send" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat send" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat send" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat send" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat chat" notify' -l 'notify' -d 'On a mention, also show a desktop notification (notify-send, when installed).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat chat" lines' -l 'lines' -d 'Line mode: history lines to print first.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat chat" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading at the end; what is left stays safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat chat"' -l 'trusted-keys' -d 'For legacy rooms (no creator_key in metadata.json): a JSON file {"sender_id": "base64 public key", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat chat" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat chat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat files" json' -l 'json' -d 'One JSON object per file.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat files"' -l 'trusted-keys' -d 'For legacy rooms (no creator_key in metadata.json): a JSON file {"sender_id": "base64 public key", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat files" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat files" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat download" o output' -l 'output' -s 'o' -d 'Where to write it; - for stdout.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat download" force' -l 'force' -d 'Overwrite an existing output file.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat download" max-size' -l 'max-size' -d 'The largest file to download, in MiB (default: 100, or $BUCKETCHAT_MAX_FILE_MIB).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat download"' -l 'trusted-keys' -d 'For legacy rooms (no creator_key in metadata.json): a JSON file {"sender_id": "base64 public key", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat download" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat download" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat reply" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat reply" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat reply" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat reply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat react" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat react" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat react" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat react" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat edit" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat edit" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat edit" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat edit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat redact" reason' -l 'reason' -d 'Why, as an option (the same as the REASON argument).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat redact" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat redact" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat redact" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat redact" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat log" since' -l 'since' -d 'Only events at or after this time: ISO 8601 (2025-09-14T12:00:00Z) or an age such as 30m, 2h, 7d.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat log" limit' -l 'limit' -d 'Only the last N events.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat log" json' -l 'json' -d 'One JSON event per line.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat log"' -l 'trusted-keys' -d 'For legacy rooms (no creator_key in metadata.json): a JSON file {"sender_id": "base64 public key", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat log" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat log" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat follow" lines' -l 'lines' -d 'History lines to print first.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat follow" json' -l 'json' -d 'One JSON event per line.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat follow"' -l 'trusted-keys' -d 'For legacy rooms (no creator_key in metadata.json): a JSON file {"sender_id": "base64 public key", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat follow" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat follow" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat members" json' -l 'json' -d 'One JSON object per member.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat members"' -l 'trusted-keys' -d 'For legacy rooms (no creator_key in metadata.json): a JSON file {"sender_id": "base64 public key", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat members" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat members" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat flush" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat flush" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat keys" -eq 1' -fa 'generate' -d 'Generate a new device key and write it with mode 0600.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat keys" -eq 1' -fa 'show' -d 'Print this device\'s sender id and public key.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat keys" -eq 1' -fa 'add-device' -d 'Trust another device\'s key for your identity in rooms (run `keys show` on that device for its key).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat keys" -eq 1' -fa 'rotate' -d 'Replace this device\'s key: a new key is trusted and the old one revoked in every room, then used from now on.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat keys" -eq 1' -fa 'trust' -d 'Trust a sender\'s key for legacy rooms (rooms made by other clients, whose metadata.json declares no keys).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys generate" name' -l 'name' -d 'Your name; the identity becomes user:NAME (default: $USER).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys generate" sender-id' -l 'sender-id' -d 'A full sender id instead, e.g. alice@example.com.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys generate" key-file' -l 'key-file' -d 'The secret key file (default: $BUCKETCHAT_HOME/device-key.json, else $XDG_CONFIG_HOME/bucketchat/device-key.json).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys generate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys show" json' -l 'json' -d 'Print one JSON object with sender_id and public_key.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys show" key-file' -l 'key-file' -d 'The secret key file (default: $BUCKETCHAT_HOME/device-key.json, else $XDG_CONFIG_HOME/bucketchat/device-key.json).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys add-device" device-id' -l 'device-id' -d 'The other device\'s client id, for others to see.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys add-device"' -l 'room' -d 'A room to add it to (repeatable; default: every room this device writes to).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys add-device" wait' -l 'wait' -d 'Wait until the event is uploaded (as `bucketchat flush` does).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys add-device" upload-timeout' -l 'upload-timeout' -d 'Seconds to try uploading before returning; the event is already safe in the journal.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys add-device" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys add-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys rotate" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys rotate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys trust" room' -l 'room' -d 'Trust it for this room only: its id, or its name.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys trust" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat keys trust" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat verify" store' -l 'store' -d 'Read the rooms from this store instead: a folder, s3://bucket/prefix or gs://bucket/prefix.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat verify" room' -l 'room' -d 'The room to verify: its id or its name (default: every room of the store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat verify" json' -l 'json' -d 'Print one JSON object per room (an array without --room): room_id, accepted, rejected, alarms, warnings, members, skipped_keys and the resolved state.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat verify" attachments' -l 'attachments' -d 'Also fetch every shared file and check its bytes against the SHA-256 and size its event names (attachment_mismatch, attachment_missing are integrity alarms).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat verify"' -l 'trusted-keys' -d 'For legacy rooms (no creator_key in metadata.json): a JSON file {"sender_id": "base64 public key", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat verify" key' -l 'key' -d 'A member device\'s key file (as `bucketchat init` writes it): private rooms\' content is opened with it too, and a ciphertext that does not open is an alarm (undecryptable).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat verify" creator-key' -l 'creator-key' -d 'The creator key you pinned for this room; an alarm is raised if metadata.json names another.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat inspect" json' -l 'json' -d 'Print one JSON object (the stored line under "stored").'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat inspect"' -l 'trusted-keys' -d 'For legacy rooms (no creator_key in metadata.json): a JSON file {"sender_id": "base64 public key", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat inspect" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat inspect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat store" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat store" -eq 1' -fa 'create-bucket' -d 'Create the bucket of an s3:// or gs:// location, optionally with Object Lock (S3).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_positional "bucketchat store" -eq 1' -fa 'enable-notifications' -d 'Make a store\'s readers follow bucket notifications instead of polling.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat store create-bucket" object-lock-days' -l 'object-lock-days' -d 'S3 only: enable Object Lock with this default retention.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat store create-bucket" governance' -l 'governance' -d 'With --object-lock-days: GOVERNANCE mode (privileged users may lift it) instead of COMPLIANCE.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat store create-bucket" project' -l 'project' -d 'GCS only: the project the bucket belongs to.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat store create-bucket" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat store enable-notifications" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat mount" f' -s 'f' -d 'Stay in the foreground and log to stderr.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat mount"' -s 'o' -d 'Mount options for libfuse, comma-separated (e.g. allow_other); `syslog` sends the mount\'s log to the system log instead.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat mount"' -l 'trusted-keys' -d 'For legacy rooms (no creator_key in metadata.json): a JSON file {"sender_id": "base64 public key", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat mount" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat mount" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat umount" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat serve" host' -l 'host' -d 'The address to listen on. Anything but loopback lets other machines reach the login page: give it only on purpose.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat serve" port' -l 'port' -d 'The port to listen on (0: any free port).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat serve" open' -l 'open' -d 'Open the URL in the default browser (xdg-open).'
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat serve"' -l 'trusted-keys' -d 'For legacy rooms (no creator_key in metadata.json): a JSON file {"sender_id": "base64 public key", ...}, added to the keys trusted with `bucketchat keys trust`. Repeatable.' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat serve" store' -l 'store' -d 'Where rooms live: a folder, file:///path, s3://bucket/prefix or gs://bucket/prefix (default: $BUCKETCHAT_STORE, else `store` in config.toml, else the local store).' -rfka ''
complete -c 'bucketchat' -n '__bucketchat_should_offer_completions_for_flags_or_options "bucketchat serve" h help' -s 'h' -l 'help' -d 'Show help information.'
