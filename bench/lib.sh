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

# Every Go binary timed here is built the way the README installs certlint
# (CGO_ENABLED=0, a static binary; BENCH_CGO=1 builds with cgo), the peers
# too, so that the build mode is not what the numbers compare.
export CGO_ENABLED=${BENCH_CGO:-0}

# place copies a binary into the work directory and prints the copy's path.
# Timing the file `go build` just wrote costs about 1 ms more per start than
# timing a copy (the linker writes it through mmap, which leaves it in the
# page cache in small pages), so every binary is timed as a copy.
place() {
	local dst
	dst=$work/$(basename "$1").timed
	cp "$1" "$dst" && printf '%s' "$dst"
}

# BENCH_CERTLINT times a prebuilt binary; otherwise the checkout is built.
if [[ -n ${BENCH_CERTLINT:-} ]]; then
	[[ -x $BENCH_CERTLINT ]] || die "BENCH_CERTLINT=$BENCH_CERTLINT is not executable"
	certlint=$(place "$BENCH_CERTLINT")
else
	(cd "$repo" && go build -o "$work/certlint" ./cmd/certlint) || die "go build ./cmd/certlint failed"
	certlint=$(place "$work/certlint")
fi

# go_tool NAME builds the standard-library Go program the caller wrote to
# $work/NAME/main.go, as a module of its own, and prints the binary's path.
go_tool() {
	printf 'module %s\n\ngo 1.22\n' "$1" >"$work/$1/go.mod"
	(cd "$work/$1" && GOFLAGS=-mod=mod go build -o "$work/$1.bin" .) >"$work/$1.log" 2>&1 ||
		{ cat "$work/$1.log" >&2; die "building $1 failed"; }
	printf '%s' "$work/$1.bin"
}
