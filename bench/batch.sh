#!/usr/bin/env bash
# bench/batch.sh measures certlint on a fleet: (b) 500 targets on loopback
# with --concurrency 64 (targets/s and peak RSS from /usr/bin/time), (c) the
# offline --chain check of one chain (process wall time), and a one-target
# comparison with testssl.sh when it is installed. Prints a markdown table.
#
# The fleet is ONE Go TLS server process listening on 500 loopback ports
# (127.0.0.1 only, RSA-2048 leaf under a generated root), so each of the 500
# lines of the targets file is a distinct 127.0.0.1:PORT: no target shares a
# connection or a cache entry with another. Every target gets the generic
# handshake plus one replay of each device's ClientHello (-d all).
#
# Numbers are reported, never asserted: slow numbers do not fail the script;
# only something that could not run does (exit 2).
#
# Environment:
#   BATCH_TARGETS      targets in the fleet (default 500, at most 2000)
#   BATCH_CONCURRENCY  --concurrency (default 64)
#   BATCH_RUNS         timed runs of the offline check (default 20)
#   BATCH_DEVICES      -d for the fleet runs (default all)
#   BATCH_RSS_TARGETS  also run this many targets (the fleet's ports over
#                      and over) once per output format and report each
#                      run's peak RSS, CPU and rate (default 0 = skip; the
#                      issue-14 goal is measured with 10000, at most 20000)
#   BENCH_CERTLINT     a prebuilt certlint binary instead of building one
#   BENCH_CGO=1        build with cgo (default: CGO_ENABLED=0, as the README installs)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
targets=${BATCH_TARGETS:-500}
concurrency=${BATCH_CONCURRENCY:-64}
runs=${BATCH_RUNS:-20}
devices=${BATCH_DEVICES:-all}
rss_targets=${BATCH_RSS_TARGETS:-0}
target_rate=500 # targets/s where the server is not the bottleneck (issue 14)
target_cpu_ms=1.5 # certlint CPU per target (issue 14)
target_rss_mb=100 # issue 14: 10,000 targets in any format
offline_target_ms=20

die() { echo "batch: $*" >&2; exit 2; }
[[ $targets =~ ^[0-9]+$ ]] && ((targets >= 1 && targets <= 2000)) || die "BATCH_TARGETS must be 1..2000"
[[ $concurrency =~ ^[0-9]+$ ]] && ((concurrency >= 1)) || die "BATCH_CONCURRENCY must be a positive number"
[[ $runs =~ ^[0-9]+$ ]] && ((runs >= 1 && runs <= 500)) || die "BATCH_RUNS must be 1..500"
[[ $rss_targets =~ ^[0-9]+$ ]] && ((rss_targets <= 20000)) || die "BATCH_RSS_TARGETS must be 0..20000"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed for peak RSS (Debian: apt-get install time)"
command -v go >/dev/null || die "go not found"

work_prefix=certlint-batch
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

# --- the fleet server: standard library only, built in its own module ----
mkdir -p "$work/fleetserver"
cat >"$work/fleetserver/main.go" <<'EOF'
// fleetserver listens on N loopback ports with one TLS config and writes
// the ports, one per line, then serves until killed.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"strconv"
	"time"
)

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	rootKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	leafKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := time.Now()
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "batch bench root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, SubjectKeyId: []byte{1, 2, 3, 4}}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		panic(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "device.test"},
		DNSNames: []string{"device.test"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, root, &leafKey.PublicKey, rootKey)
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(os.Args[2], rootDER, 0o644); err != nil {
		panic(err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS10, Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}}}
	ports, err := os.Create(os.Args[3])
	if err != nil {
		panic(err)
	}
	for i := 0; i < n; i++ {
		ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
		if err != nil {
			panic(err)
		}
		fmt.Fprintln(ports, ln.Addr().(*net.TCPAddr).Port)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					_ = c.SetDeadline(time.Now().Add(10 * time.Second))
					_ = c.(*tls.Conn).Handshake()
				}()
			}
		}()
	}
	ports.Close()
	os.Rename(os.Args[3], os.Args[3]+".done")
	select {}
}
EOF
fleetserver=$(go_tool fleetserver)
"$fleetserver" "$targets" "$work/root.der" "$work/ports" &
server_pid=$!
for _ in $(seq 100); do
	[[ -f $work/ports.done ]] && break
	kill -0 "$server_pid" 2>/dev/null || die "fleet server exited"
	sleep 0.1
done
[[ -f $work/ports.done ]] || die "fleet server did not start"
sed 's/^/127.0.0.1:/' "$work/ports.done" >"$work/fleet.txt"
[[ $(wc -l <"$work/fleet.txt") -eq $targets ]] || die "fleet server opened $(wc -l <"$work/fleet.txt") ports, want $targets"

# --- (b) the fleet -------------------------------------------------------
ms() { echo $(($(date +%s%N) / 1000000)); }
# one untimed warm-up target (page cache, the binary itself)
"$certlint" check "$(head -1 "$work/fleet.txt")" --servername device.test --ca "$work/root.der" -o json >/dev/null || true
start=$(ms)
set +e
/usr/bin/time -f '%M %U %S' -o "$work/rss" "$certlint" check --targets "$work/fleet.txt" --servername device.test \
	--ca "$work/root.der" --concurrency "$concurrency" -d "$devices" -o json >"$work/fleet.json" 2>"$work/fleet.err"
code=$?
set -e
end=$(ms)
((code != 2)) || { cat "$work/fleet.err" >&2; die "the fleet run exited 2 (a target could not be checked)"; }
fleet_ms=$((end - start))
read -r rss_kb user_s sys_s < <(tail -1 "$work/rss")
# The fleet server shares the 2 cores; certlint's own CPU time says what
# rate certlint alone would sustain if the servers were elsewhere.
cpu_ms=$(awk -v u="$user_s" -v s="$sys_s" 'BEGIN { printf "%.0f", (u + s) * 1000 }')
cpu_per_target=$(awk -v c="$cpu_ms" -v n="$targets" 'BEGIN { printf "%.1f", c / n }')
cpu_rate=$(awk -v c="$cpu_ms" -v n="$targets" -v cores="$(nproc)" 'BEGIN { printf "%.0f", n / (c / 1000) * cores }')
reports=$(grep -c '"target": "127.0.0.1:' "$work/fleet.json" || true)
rate=$(awk -v n="$targets" -v ms="$fleet_ms" 'BEGIN { printf "%.0f", n / (ms / 1000) }')
rss_mb=$(awk -v kb="$rss_kb" 'BEGIN { printf "%.0f", kb / 1024 }')

# --- (r) memory in every output format ------------------------------------
# rss_targets lines over the fleet's ports, one run per format; reports are
# streamed, so peak RSS should not grow with the number of targets.
rss_rows=
if ((rss_targets > 0)); then
	awk -v n="$rss_targets" '{ p[NR] = $0 } END { for (i = 0; i < n; i++) print p[i % NR + 1] }' "$work/fleet.txt" >"$work/big.txt"
	for format in json jsonl text markdown junit sarif; do
		s=$(ms)
		set +e
		/usr/bin/time -f '%M %U %S' -o "$work/rss-$format" "$certlint" check --targets "$work/big.txt" --servername device.test \
			--ca "$work/root.der" --concurrency "$concurrency" -d "$devices" -o "$format" >"$work/big.$format" 2>"$work/big.err"
		c=$?
		set -e
		e=$(ms)
		((c != 2)) || { tail -3 "$work/big.err" >&2; die "the $rss_targets-target $format run exited 2"; }
		read -r kb u sy < <(tail -1 "$work/rss-$format")
		rss_rows+=$(awk -v f="$format" -v kb="$kb" -v u="$u" -v sy="$sy" -v n="$rss_targets" -v ms="$((e - s))" -v c="$c" -v out="$(wc -c <"$work/big.$format")" \
			-v want="$target_rss_mb" 'BEGIN { printf "| (r) %d targets, -o %s | **%.0f MB** peak RSS (%s) | %.2f ms CPU per target, %.0f targets/s, exit %d, %.1f MB written |\n", n, f, kb / 1024, (kb / 1024 <= want) ? "meets <= " want " MB" : "MISSES <= " want " MB", (u + sy) * 1000 / n, n / (ms / 1000), c, out / 1048576 }')$'\n'
		rm -f "$work/big.$format"
	done
fi

# --- (c) offline --chain ---------------------------------------------------
chain="$repo/examples/bing-2019.pem"
[[ -f $chain ]] || die "$chain missing"
"$certlint" check --chain "$chain" --servername www.bing.com >/dev/null 2>&1 || true
times=()
for _ in $(seq "$runs"); do
	s=$(date +%s%N)
	"$certlint" check --chain "$chain" --servername www.bing.com >/dev/null 2>&1 || true
	e=$(date +%s%N)
	times+=($(((e - s) / 1000)))
done
offline_median_ms=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END { m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000 }')

# --- one target: certlint -d all vs testssl.sh --------------------------
one=$(head -1 "$work/fleet.txt")
s=$(date +%s%N)
"$certlint" check "$one" --servername device.test --ca "$work/root.der" >/dev/null 2>&1 || true
e=$(date +%s%N)
one_ms=$(((e - s) / 1000000))
testssl=$(command -v testssl.sh || command -v testssl || true)
if [[ -n $testssl ]]; then
	s=$(date +%s%N)
	"$testssl" --quiet --color 0 --warnings off --sneaky "$one" >"$work/testssl.out" 2>&1 || true
	e=$(date +%s%N)
	testssl_ms=$(((e - s) / 1000000))
	testssl_row="| one target, testssl.sh default run | ${testssl_ms} ms | certlint is $(awk -v a="$testssl_ms" -v b="$one_ms" 'BEGIN { printf "%.0f", a / (b ? b : 1) }')× faster; testssl.sh checks far more (vulnerabilities, every cipher), but nothing device-specific |"
else
	testssl_row="| one target, testssl.sh | skipped | testssl.sh not installed (Debian: apt-get install testssl.sh) |"
fi

verdict() { awk -v got="$1" -v want="$2" -v dir="$3" 'BEGIN { ok = (dir == "min") ? got >= want : got <= want; print ok ? "meets" : "MISSES" }'; }
cat <<EOF
## certlint batch benchmark ($(nproc) CPUs, $(uname -m), $(date -u +%Y-%m-%d))

| measure | result | target |
|---|---|---|
| (b) $targets targets, --concurrency $concurrency, -d $devices, one Go server on $targets loopback ports | ${fleet_ms} ms = **${rate} targets/s** ($reports reports, exit $code); the server shares the $(nproc) cores | |
| (b) certlint's own CPU time (user+sys) | ${cpu_ms} ms = **${cpu_per_target} ms per target** → **${cpu_rate} targets/s** on $(nproc) cores if the servers ran elsewhere | ≤ ${target_cpu_ms} ms: $(verdict "$cpu_per_target" "$target_cpu_ms" max); ≥ ${target_rate}/s: $(verdict "$cpu_rate" "$target_rate" min) |
| (b) peak RSS of that run (/usr/bin/time %M) | **${rss_mb} MB** | ≤ ${target_rss_mb} MB: $(verdict "$rss_mb" "$target_rss_mb" max) |
${rss_rows}| (c) offline --chain examples/bing-2019.pem, median of $runs | **${offline_median_ms} ms** | < ${offline_target_ms} ms: $(verdict "$offline_median_ms" "$offline_target_ms" max) |
| one target, certlint -d all | ${one_ms} ms | |
$testssl_row
EOF
