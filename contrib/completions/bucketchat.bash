#!/bin/bash

__bucketchat_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__bucketchat_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__bucketchat_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__bucketchat_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_bucketchat() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(-h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __bucketchat_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    init|room|invite|join|leave|kick|ban|name|topic|send|chat|files|download|reply|react|edit|redact|log|follow|members|flush|keys|verify|inspect|store|mount|umount|serve|help)
        # Offer subcommand argument completions
        "_bucketchat_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'init room invite join leave kick ban name topic send chat files download reply react edit redact log follow members flush keys verify inspect store mount umount serve help' -- "${cur}"))
        ;;
    esac
}

_bucketchat_init() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--name --display-name --store)
    __bucketchat_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--name')
        return
        ;;
    '--display-name')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_room() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __bucketchat_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|info)
        # Offer subcommand argument completions
        "_bucketchat_room_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list info' -- "${cur}"))
        ;;
    esac
}

_bucketchat_room_create() {
    repeating_flags=()
    non_repeating_flags=(--public --private --wait -h --help)
    repeating_options=()
    non_repeating_options=(--description --store)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--description')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_room_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--store)
    __bucketchat_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--store')
        return
        ;;
    esac
}

_bucketchat_room_info() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--trusted-keys)
    non_repeating_options=(--store)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--trusted-keys')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_invite() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=()
    non_repeating_options=(--key --display-name --upload-timeout --store)
    __bucketchat_offer_flags_options 3

    # Offer option value completions
    case "${prev}" in
    '--key')
        return
        ;;
    '--display-name')
        return
        ;;
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_join() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=()
    non_repeating_options=(--display-name --upload-timeout --store)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--display-name')
        return
        ;;
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_leave() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=()
    non_repeating_options=(--upload-timeout --store)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_kick() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=()
    non_repeating_options=(--reason --upload-timeout --store)
    __bucketchat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--reason')
        return
        ;;
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_ban() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=()
    non_repeating_options=(--reason --upload-timeout --store)
    __bucketchat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--reason')
        return
        ;;
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_name() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=()
    non_repeating_options=(--upload-timeout --store)
    __bucketchat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_topic() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=()
    non_repeating_options=(--upload-timeout --store)
    __bucketchat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_send() {
    repeating_flags=()
    non_repeating_flags=(--emote --notice --wait -h --help)
    repeating_options=()
    non_repeating_options=(--file --name --caption --mimetype --upload-timeout --store)
    __bucketchat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--file')
        return
        ;;
    '--name')
        return
        ;;
    '--caption')
        return
        ;;
    '--mimetype')
        return
        ;;
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_chat() {
    repeating_flags=()
    non_repeating_flags=(--notify -h --help)
    repeating_options=(--trusted-keys)
    non_repeating_options=(--lines --upload-timeout --store)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--lines')
        return
        ;;
    '--upload-timeout')
        return
        ;;
    '--trusted-keys')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_files() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--trusted-keys)
    non_repeating_options=(--store)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--trusted-keys')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_download() {
    repeating_flags=()
    non_repeating_flags=(--force -h --help)
    repeating_options=(--trusted-keys)
    non_repeating_options=(--output -o --max-size --store)
    __bucketchat_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--output'|'-o')
        return
        ;;
    '--max-size')
        return
        ;;
    '--trusted-keys')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_reply() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=()
    non_repeating_options=(--upload-timeout --store)
    __bucketchat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_react() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=()
    non_repeating_options=(--upload-timeout --store)
    __bucketchat_offer_flags_options 3

    # Offer option value completions
    case "${prev}" in
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_edit() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=()
    non_repeating_options=(--upload-timeout --store)
    __bucketchat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_redact() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=()
    non_repeating_options=(--reason --upload-timeout --store)
    __bucketchat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--reason')
        return
        ;;
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_log() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--trusted-keys)
    non_repeating_options=(--since --limit --store)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--since')
        return
        ;;
    '--limit')
        return
        ;;
    '--trusted-keys')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_follow() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--trusted-keys)
    non_repeating_options=(--lines --store)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--lines')
        return
        ;;
    '--trusted-keys')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_members() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--trusted-keys)
    non_repeating_options=(--store)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--trusted-keys')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_flush() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--store)
    __bucketchat_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--store')
        return
        ;;
    esac
}

_bucketchat_keys() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __bucketchat_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    generate|show|add-device|rotate|trust)
        # Offer subcommand argument completions
        "_bucketchat_keys_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'generate show add-device rotate trust' -- "${cur}"))
        ;;
    esac
}

_bucketchat_keys_generate() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--name --sender-id --key-file)
    __bucketchat_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--name')
        return
        ;;
    '--sender-id')
        return
        ;;
    '--key-file')
        return
        ;;
    esac
}

_bucketchat_keys_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--key-file)
    __bucketchat_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--key-file')
        return
        ;;
    esac
}

_bucketchat_keys_add-device() {
    repeating_flags=()
    non_repeating_flags=(--wait -h --help)
    repeating_options=(--room)
    non_repeating_options=(--device-id --upload-timeout --store)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--device-id')
        return
        ;;
    '--room')
        return
        ;;
    '--upload-timeout')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_keys_rotate() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--store)
    __bucketchat_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--store')
        return
        ;;
    esac
}

_bucketchat_keys_trust() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--room --store)
    __bucketchat_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--room')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_verify() {
    repeating_flags=()
    non_repeating_flags=(--json --attachments -h --help)
    repeating_options=(--trusted-keys)
    non_repeating_options=(--store --room --key --creator-key)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--store')
        return
        ;;
    '--room')
        return
        ;;
    '--trusted-keys')
        return
        ;;
    '--key')
        return
        ;;
    '--creator-key')
        return
        ;;
    esac
}

_bucketchat_inspect() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--trusted-keys)
    non_repeating_options=(--store)
    __bucketchat_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--trusted-keys')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_store() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __bucketchat_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create-bucket|enable-notifications)
        # Offer subcommand argument completions
        "_bucketchat_store_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create-bucket enable-notifications' -- "${cur}"))
        ;;
    esac
}

_bucketchat_store_create-bucket() {
    repeating_flags=()
    non_repeating_flags=(--governance -h --help)
    repeating_options=()
    non_repeating_options=(--object-lock-days --project)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--object-lock-days')
        return
        ;;
    '--project')
        return
        ;;
    esac
}

_bucketchat_store_enable-notifications() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __bucketchat_offer_flags_options 1
}

_bucketchat_mount() {
    repeating_flags=()
    non_repeating_flags=(-f -h --help)
    repeating_options=(-o --trusted-keys)
    non_repeating_options=(--store)
    __bucketchat_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-o')
        return
        ;;
    '--trusted-keys')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_umount() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __bucketchat_offer_flags_options 1
}

_bucketchat_serve() {
    repeating_flags=()
    non_repeating_flags=(--open -h --help)
    repeating_options=(--trusted-keys)
    non_repeating_options=(--host --port --store)
    __bucketchat_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--trusted-keys')
        return
        ;;
    '--store')
        return
        ;;
    esac
}

_bucketchat_help() {
    :
}

complete -o filenames -F _bucketchat bucketchat
