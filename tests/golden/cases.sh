# cases.sh - where a golden case's policy and lock are (shared by the golden
# test, the kernel test and update.sh).  Prints "POLICY LOCK TARGETS":
# TARGETS is the content of CASE.targets beside the policy, else "all".
golden_case() {
	for p in "policies/$1.yaml" "tests/policies/$1.yaml"; do
		[ -f "$p" ] || continue
		d=$(dirname "$p")
		t=all
		[ -f "$d/$1.targets" ] && t=$(cat "$d/$1.targets")
		for l in "$d/$1.example.lock" "$d/$1.lock"; do
			if [ -f "$l" ]; then
				echo "$p $l $t"
				return 0
			fi
		done
		echo "$p $d/$1.lock $t"
		return 0
	done
	return 1
}
