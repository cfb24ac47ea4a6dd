#!/usr/bin/env bash
# bench/run.sh times the real certlint binary against `openssl s_client` on a
# loopback TLS server (openssl s_server bound to 127.0.0.1 only) and prints a
# markdown table. It exits non-zero only when something could not run (no
# openssl, build failure, server would not start, a command exiting 2): slow
# numbers are reported, never failed on, because performance is measured
# here, not asserted in tests.
#
# Environment:
#   BENCH_RUNS      timed runs per command (default 20, at most 500)
#   BENCH_WARMUP    untimed runs before timing (default 3, at most 50)
#   BENCH_PORT      loopback port for the server (default: a free one in 20000-39999)
#   BENCH_CERTLINT  a prebuilt certlint binary to time instead of building one
#   BENCH_NO_HYPERFINE=1  use the bash loop even when hyperfine is installed
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${BENCH_RUNS:-20}
warmup=${BENCH_WARMUP:-3}
servername=device.test
online_target_ratio=1.5 # (b)/(a), the house target
offline_target_ms=20    # (c)

die() { echo "bench: $*" >&2; exit 2; }

[[ $runs =~ ^[0-9]+$ ]] && ((runs >= 1 && runs <= 500)) || die "BENCH_RUNS must be 1..500, got $runs"
[[ $warmup =~ ^[0-9]+$ ]] && ((warmup <= 50)) || die "BENCH_WARMUP must be 0..50, got $warmup"
command -v openssl >/dev/null || die "openssl not found"

work_prefix=certlint-bench
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

# --- a three-certificate RSA-2048 chain made by openssl --------------------
# Root and intermediate carry SKI/AKI so every device's CA-file rule can be
# checked; the leaf names device.test.
make_chain() {
	cat >"$work/ext.cnf" <<'EOF'
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[leaf]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:device.test
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
	cd "$work"
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj /CN=certlint-bench-root \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		-keyout root.key -out root.pem
	openssl req -newkey rsa:2048 -nodes -subj /CN=certlint-bench-intermediate -keyout int.key -out int.csr
	openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -CAcreateserial -sha256 -days 3650 \
		-extfile ext.cnf -extensions ca -out int.pem
	openssl req -newkey rsa:2048 -nodes -subj /CN=device.test -keyout leaf.key -out leaf.csr
	openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -sha256 -days 365 \
		-extfile ext.cnf -extensions leaf -out leaf.pem
	openssl x509 -in root.pem -outform DER -out root.der
}
(make_chain) >"$work/chain.log" 2>&1 || { cat "$work/chain.log" >&2; die "making the test chain with openssl failed"; }

# --- loopback server -------------------------------------------------------
# SECLEVEL=0 and TLS 1.0 as the floor so the WiPy (TLS 1.0, RSA/CBC) and
# CC3200 hellos negotiate; -legacy_renegotiation for clients without RFC 5746.
# Bound to 127.0.0.1 explicitly: s_server listens on every interface otherwise.
start_server() {
	local port=$1
	openssl s_server -www -quiet -accept "127.0.0.1:$port" \
		-cert "$work/leaf.pem" -key "$work/leaf.key" -cert_chain "$work/int.pem" \
		-cipher 'DEFAULT:@SECLEVEL=0' -min_protocol TLSv1 -legacy_renegotiation \
		</dev/null >"$work/server.log" 2>&1 &
	server_pid=$!
	local i
	for i in $(seq 1 50); do # at most ~5 s
		kill -0 "$server_pid" 2>/dev/null || return 1
		if openssl s_client -connect "127.0.0.1:$port" -servername "$servername" </dev/null >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}
port=
for try in 1 2 3 4 5; do
	candidate=${BENCH_PORT:-$((20000 + RANDOM % 20000))}
	if start_server "$candidate"; then
		port=$candidate
		break
	fi
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
	[[ -n ${BENCH_PORT:-} ]] && break
done
[[ -n $port ]] || { cat "$work/server.log" >&2; die "openssl s_server did not start on 127.0.0.1"; }

# --- the three commands ----------------------------------------------------
cmd_a=(openssl s_client -connect "127.0.0.1:$port" -servername "$servername")
cmd_b=("$certlint" check "127.0.0.1:$port" --servername "$servername" --ca "$work/root.der" -d all --timeout 10s)
cmd_c=("$certlint" check --chain "$repo/examples/bing-2019.pem" --servername www.bing.com --at 2019-06-01)
names=(a b c)
labels=("(a) openssl s_client, one handshake"
	"(b) certlint check 127.0.0.1 -d all"
	"(c) certlint check --chain bing-2019 (offline)")

# Every command runs once untimed first: certlint exits 0 (all pass) or 1
# (a device fails, e.g. spwf01 takes its CA in PEM, not DER); 2 or worse means
# the check could not be done, and the numbers would be meaningless.
preflight() {
	local name=$1 max_ok=$2
	shift 2
	local rc=0
	"$@" </dev/null >"$work/preflight-$name.out" 2>&1 || rc=$?
	if ((rc > max_ok)); then
		cat "$work/preflight-$name.out" >&2
		die "command ($name) exited $rc: $*"
	fi
}
preflight a 0 "${cmd_a[@]}"
preflight b 1 "${cmd_b[@]}"
preflight c 1 "${cmd_c[@]}"

# quote renders an argv as one shell-safe string for hyperfine -N.
quote() { printf '%q ' "$@"; }

declare -A mean median minimum maximum
if command -v hyperfine >/dev/null && [[ ${BENCH_NO_HYPERFINE:-} != 1 ]]; then
	tool="hyperfine $(hyperfine --version | awk '{print $2}')"
	hyperfine -N -i --style none -w "$warmup" -r "$runs" --export-csv "$work/h.csv" \
		-n a "$(quote "${cmd_a[@]}")" -n b "$(quote "${cmd_b[@]}")" -n c "$(quote "${cmd_c[@]}")" \
		>"$work/hyperfine.log" 2>&1 || { cat "$work/hyperfine.log" >&2; die "hyperfine failed"; }
	# CSV columns: command,mean,stddev,median,user,system,min,max (seconds).
	while IFS=, read -r name m _ med _ _ lo hi; do
		[[ $name == command ]] && continue
		mean[$name]=$(awk -v x="$m" 'BEGIN{printf "%.1f", x*1000}')
		median[$name]=$(awk -v x="$med" 'BEGIN{printf "%.1f", x*1000}')
		minimum[$name]=$(awk -v x="$lo" 'BEGIN{printf "%.1f", x*1000}')
		maximum[$name]=$(awk -v x="$hi" 'BEGIN{printf "%.1f", x*1000}')
	done <"$work/h.csv"
else
	tool="bash loop, date +%s%N"
	# time_loop runs the command warmup+runs times and writes one
	# wall-clock duration in ms per timed run to $work/times-NAME.
	time_loop() {
		local name=$1 i t0 t1
		shift
		for ((i = 0; i < warmup; i++)); do "$@" </dev/null >/dev/null 2>&1 || true; done
		: >"$work/times-$name"
		for ((i = 0; i < runs; i++)); do
			t0=$(date +%s%N)
			"$@" </dev/null >/dev/null 2>&1 || true
			t1=$(date +%s%N)
			echo $(((t1 - t0) / 1000)) >>"$work/times-$name"
		done
		read -r mean[$name] median[$name] minimum[$name] maximum[$name] < <(sort -n "$work/times-$name" | awk '
			{ v[NR] = $1 / 1000; s += v[NR] }
			END {
				med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
				printf "%.1f %.1f %.1f %.1f\n", s / NR, med, v[1], v[NR]
			}')
	}
	time_loop a "${cmd_a[@]}"
	time_loop b "${cmd_b[@]}"
	time_loop c "${cmd_c[@]}"
fi

# Peak RSS of (b): the largest maxrss over a few runs (KiB from GNU time).
rss_b="n/a (no /usr/bin/time)"
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	peak=0
	for i in 1 2 3 4 5; do
		/usr/bin/time -o "$work/rss" -f %M "${cmd_b[@]}" </dev/null >/dev/null 2>&1 || true
		kib=$(tail -n1 "$work/rss")
		[[ $kib =~ ^[0-9]+$ ]] && ((kib > peak)) && peak=$kib
	done
	rss_b=$(awk -v k="$peak" 'BEGIN{printf "%.1f MiB (%d KiB)", k/1024, k}')
fi

ratio_mean=$(awk -v b="${mean[b]}" -v a="${mean[a]}" 'BEGIN{printf "%.2f", b/a}')
ratio_median=$(awk -v b="${median[b]}" -v a="${median[a]}" 'BEGIN{printf "%.2f", b/a}')
verdict() { awk -v x="$1" -v t="$2" 'BEGIN{print (x <= t) ? "meets target" : "over target"}'; }

cat <<EOF
## certlint benchmark — $(date -u +%Y-%m-%dT%H:%MZ)

Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(openssl version | awk '{print $1, $2}'), $(go version 2>/dev/null | awk '{print $3}').
Timing: $tool, $runs runs after $warmup warm-up runs; server: openssl s_server on 127.0.0.1:$port, RSA-2048 leaf + intermediate.

| command | mean (ms) | median (ms) | min (ms) | max (ms) |
| --- | ---: | ---: | ---: | ---: |
| ${labels[0]} | ${mean[a]} | ${median[a]} | ${minimum[a]} | ${maximum[a]} |
| ${labels[1]} | ${mean[b]} | ${median[b]} | ${minimum[b]} | ${maximum[b]} |
| ${labels[2]} | ${mean[c]} | ${median[c]} | ${minimum[c]} | ${maximum[c]} |

| measure | value | target | |
| --- | ---: | ---: | --- |
| (b)/(a), mean | ${ratio_mean}× | ≤ ${online_target_ratio}× | $(verdict "$ratio_mean" "$online_target_ratio") |
| (b)/(a), median | ${ratio_median}× | ≤ ${online_target_ratio}× | $(verdict "$ratio_median" "$online_target_ratio") |
| (c) offline, median | ${median[c]} ms | ≤ ${offline_target_ms} ms | $(verdict "${median[c]}" "$offline_target_ms") |
| (b) peak RSS (max of 5) | $rss_b | | |
EOF
