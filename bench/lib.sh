# bench/lib.sh is sourced by the bench scripts: a temporary work directory
# removed on exit together with the loopback server the script started
# (its PID in server_pid), and the certlint binary to time in $certlint.
# The sourcing script defines repo, die and the work directory's prefix
# (work_prefix) first.

work=$(mktemp -d "${TMPDIR:-/tmp}/${work_prefix}.XXXXXX")
server_pid=
cleanup() {
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# BENCH_CERTLINT times a prebuilt binary; otherwise the checkout is built.
if [[ -n ${BENCH_CERTLINT:-} ]]; then
	certlint=$BENCH_CERTLINT
	[[ -x $certlint ]] || die "BENCH_CERTLINT=$certlint is not executable"
else
	certlint=$work/certlint
	(cd "$repo" && go build -o "$certlint" ./cmd/certlint) || die "go build ./cmd/certlint failed"
fi
