#!/bin/sh
# Shell completion is written from the command table: bash's script
# registers itself, completes commands, each command's options, targets
# as a comma list and the tier names of the policy on the line; zsh's
# script parses and names every command; neither can miss a command
# `egressc --help` lists.
. "$(dirname "$0")/../lib/tap.sh"
need command -v bash || { done_testing; exit 0; }

"$EG" completion bash >"$T/egressc.bash"
is $? 0 "completion bash"
bash -n "$T/egressc.bash"; ok $? "...is valid bash"
# Complete the words given and print COMPREPLY, one a line.
comp() {
	bash -c '
	egressc() { "$EG" "$@"; }
	. "$1"; shift
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	_egressc
	printf "%s\n" "${COMPREPLY[@]}"' sh "$T/egressc.bash" "$@"
}
export EG
is "$(bash -c '. "$1"; complete -p egressc' sh "$T/egressc.bash")" \
    "complete -o filenames -F _egressc egressc" "complete -p egressc: registered"
cmds=$("$EG" --help | sed -n 's/^\(usage:\)\{0,1\} *egressc \([a-z]*\) .*/\2/p' | sort -u | tr '\n' ' ')
got=$(comp egressc '' | sort | tr '\n' ' ')
for c in $cmds; do
	case " $got " in *" $c "*) ok 0 "completes command $c" ;;
	*) ok 1 "completes command $c"; note "got: $got" ;; esac
done
is "$(comp egressc lin)" "lint" "a command from its prefix"
is "$(comp egressc compile --tie)" "--tier" "an option of the command"
comp egressc lint --tie | grep -qx -- --tier; ok $? "lint takes --tier too"
comp egressc lint --dr | grep -q . ; is $? 1 "lint has no --dry-run"
is "$(comp egressc compile -t nft)" "nftables" "a target"
is "$(comp egressc compile -t nftables,ip | tr '\n' ' ')" "nftables,iptables " "a target after a comma"
is "$(comp egressc compile policies/heygen-livekit.yaml --tier '' | sort | tr '\n' ' ')" \
    "all minimum recommended " "tiers read from the policy on the line"
is "$(comp egressc lint --format '' | tr '\n' ' ')" "text json sarif " "--format's words"
comp egressc compile policies/heygen | grep -qx policies/heygen-livekit.yaml
ok $? "a policy file name"
is "$(comp egressc import '')" "aerleon" "import's kind"
comp egressc import aerleon tests/import/aerleon/policies/pol/sample_nft |
    grep -qx tests/import/aerleon/policies/pol/sample_nftables.pol
ok $? "import: an Aerleon .pol file name"
is "$("$EG" completion tiers policies/heygen-livekit.yaml | tr '\n' ' ')" "minimum recommended " \
    "completion tiers POLICY: the tiers in order"
"$EG" completion fish >/dev/null 2>&1; is $? 2 "an unknown shell: exit 2"

"$EG" completion zsh >"$T/_egressc"
is $? 0 "completion zsh"
head -1 "$T/_egressc" | grep -qx '#compdef egressc'; ok $? "...a #compdef file"
for c in $cmds; do
	grep -q "^	$c)" "$T/_egressc"; ok $? "zsh: command $c has its arguments"
done
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$T/_egressc"; ok $? "zsh -n parses it"
else
	need command -v zsh
fi
done_testing
