#!/usr/bin/env bash
# bench/run.sh times the real certlint binary beside its fastest peers on a
# loopback TLS server (openssl s_server bound to 127.0.0.1 only): one bare
# `openssl s_client` handshake with CA-store loading off, `certigo connect`,
# and `certigo dump` of the offline chain. It prints a markdown table with
# the ratios. It exits non-zero only when something could not run (no
# openssl, build failure, server would not start, a command exiting 2): slow
# numbers are reported, never failed on, because performance is measured
# here, not asserted in tests.
#
# Environment:
#   BENCH_RUNS      timed runs per command (default 20, at most 500)
#   BENCH_WARMUP    untimed runs before timing (default 3, at most 50)
#   BENCH_PORT      loopback port for the server (default: a free one in 20000-39999)
#   BENCH_CERTLINT  a prebuilt certlint binary to time instead of building one
#   BENCH_DEVICES   -d for the certlint commands (default all)
#   BENCH_CERTIGO   a prebuilt certigo binary (default: v1.16.0 built from its module)
#   BENCH_NO_CERTIGO=1    leave certigo out (no Go module proxy)
#   BENCH_CGO=1     build certlint and certigo with cgo (default: CGO_ENABLED=0, as the README installs)
#   BENCH_FLOOR_HELLOS  handshakes of the floor command (f) (default 11: certlint -d all's, kept equal by TestBenchFloorCountsTheHandshakesOfDashDAll)
#   BENCH_NO_HYPERFINE=1  use the interleaved bash loop even when hyperfine is installed
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${BENCH_RUNS:-20}
warmup=${BENCH_WARMUP:-3}
devices=${BENCH_DEVICES:-all}
servername=device.test
target_ratio=1.2 # every ratio below, the issue-14 goal

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

# quote renders an argv as one shell-safe string (hyperfine -N, eval).
quote() { printf '%q ' "$@"; }

# --- certigo v1.16.0, the Go peer ------------------------------------------
# Built from its module in a scratch directory (`go install ...@latest` is
# refused here); BENCH_CERTIGO times a prebuilt binary instead, and
# BENCH_NO_CERTIGO=1 leaves it out (no module proxy).
certigo=
if [[ -n ${BENCH_CERTIGO:-} ]]; then
	[[ -x $BENCH_CERTIGO ]] || die "BENCH_CERTIGO=$BENCH_CERTIGO is not executable"
	certigo=$(place "$BENCH_CERTIGO")
elif [[ ${BENCH_NO_CERTIGO:-} != 1 ]]; then
	mkdir -p "$work/certigo"
	if (cd "$work/certigo" && go mod init certigo-bench && go get github.com/square/certigo@v1.16.0 &&
		go build -o "$work/certigo.bin" github.com/square/certigo) >"$work/certigo.log" 2>&1; then
		certigo=$(place "$work/certigo.bin")
	else
		cat "$work/certigo.log" >&2
		die "building certigo v1.16.0 failed (BENCH_NO_CERTIGO=1 leaves it out)"
	fi
fi

# --- (f) the floor: N bare first flights ----------------------------------------
# certlint -d all makes one handshake per distinct ClientHello (the generic
# one plus one per distinct device hello: 8 with the 11 built-in profiles),
# all at once, and reads each up to the server's first flight. firstflights
# does only that, in a few lines of standard library Go: N TLS 1.2 hellos at
# once, each read up to ServerHelloDone. What it takes is what the server
# (one openssl process, answering them one after another) and the kernel
# need for N handshakes, whatever the client.
floor_hellos=${BENCH_FLOOR_HELLOS:-11}
[[ $floor_hellos =~ ^[0-9]+$ ]] && ((floor_hellos >= 1 && floor_hellos <= 64)) || die "BENCH_FLOOR_HELLOS must be 1..64"
mkdir -p "$work/firstflights"
cat >"$work/firstflights/main.go" <<'EOF'
// firstflights sends N TLS 1.2 ClientHellos to ADDR at once and reads each
// connection up to the server's ServerHelloDone, then hangs up.
package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// helloConn keeps what crypto/tls writes first (its ClientHello) and
// fails, so the hello is built once without a server.
type helloConn struct {
	net.Conn
	hello []byte
}

func (c *helloConn) Write(p []byte) (int, error) {
	c.hello = append([]byte(nil), p...)
	return 0, errors.New("kept")
}
func (c *helloConn) Read([]byte) (int, error) { return 0, io.EOF }

// firstFlight reads records until one holds a ServerHelloDone (handshake
// type 14), or anything but a handshake record arrives.
func firstFlight(c net.Conn) error {
	hdr := make([]byte, 5)
	for {
		if _, err := io.ReadFull(c, hdr); err != nil {
			return err
		}
		body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
		if _, err := io.ReadFull(c, body); err != nil {
			return err
		}
		if hdr[0] != 22 {
			return fmt.Errorf("record type %d", hdr[0])
		}
		for len(body) >= 4 {
			if body[0] == 14 {
				return nil
			}
			n := 4 + (int(body[1])<<16 | int(body[2])<<8 | int(body[3]))
			body = body[min(n, len(body)):]
		}
	}
}

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	hc := &helloConn{}
	_ = tls.Client(hc, &tls.Config{ServerName: os.Args[3], MaxVersion: tls.VersionTLS12}).Handshake()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", os.Args[2], 10*time.Second)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write(hc.hello); err != nil {
				errs <- err
				return
			}
			if err := firstFlight(c); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fmt.Fprintln(os.Stderr, "firstflights:", err)
		os.Exit(1)
	}
}
EOF
floor=$(go_tool firstflights)
floor=$(place "$floor")

# --- the commands ------------------------------------------------------------
# (a) is one bare handshake: s_client with the CA store switched off, which
# otherwise spends most of its time loading /etc/ssl/certs.
chain_file="$repo/examples/bing-2019.pem"
names=(a b)
labels=("(a) openssl s_client -no-CAfile -no-CApath -no-CAstore, one handshake"
	"(b) certlint check 127.0.0.1 -d $devices")
cmds=("$(quote openssl s_client -connect "127.0.0.1:$port" -servername "$servername" -no-CAfile -no-CApath -no-CAstore)"
	"$(quote "$certlint" check "127.0.0.1:$port" --servername "$servername" --ca "$work/root.der" -d "$devices" --timeout 10s)")
maxok=(0 1)
names+=(f)
labels+=("(f) firstflights: $floor_hellos bare TLS 1.2 hellos at once, each read to ServerHelloDone (the floor for $floor_hellos handshakes)")
cmds+=("$(quote "$floor" "$floor_hellos" "127.0.0.1:$port" "$servername")")
maxok+=(0)
if [[ -n $certigo ]]; then
	names+=(g)
	labels+=("(g) certigo connect, one handshake")
	cmds+=("$(quote "$certigo" connect "127.0.0.1:$port" --name "$servername" --ca "$work/root.pem")")
	maxok+=(0)
fi
names+=(c)
labels+=("(c) certlint check --chain bing-2019 -d $devices (offline)")
cmds+=("$(quote "$certlint" check --chain "$chain_file" --servername www.bing.com --at 2019-06-01 -d "$devices")")
maxok+=(1)
if [[ -n $certigo ]]; then
	names+=(d)
	labels+=("(d) certigo dump bing-2019")
	cmds+=("$(quote "$certigo" dump "$chain_file")")
	maxok+=(0)
fi

# Every command runs once untimed first: certlint exits 0 (all pass) or 1
# (a device fails, e.g. spwf01 takes its CA in PEM, not DER); 2 or worse means
# the check could not be done, and the numbers would be meaningless.
for i in "${!names[@]}"; do
	rc=0
	eval "${cmds[i]}" </dev/null >"$work/preflight-${names[i]}.out" 2>&1 || rc=$?
	if ((rc > maxok[i])); then
		cat "$work/preflight-${names[i]}.out" >&2
		die "command (${names[i]}) exited $rc: ${cmds[i]}"
	fi
done

# hyperfine is installed from apt when missing and we may (root, apt-get).
if ! command -v hyperfine >/dev/null && [[ ${BENCH_NO_HYPERFINE:-} != 1 ]] && ((EUID == 0)) && command -v apt-get >/dev/null; then
	apt-get install -y hyperfine >"$work/apt.log" 2>&1 || echo "bench: apt-get install hyperfine failed; using the bash loop" >&2
fi

declare -A mean median minimum maximum cpu
if command -v hyperfine >/dev/null && [[ ${BENCH_NO_HYPERFINE:-} != 1 ]]; then
	tool="hyperfine $(hyperfine --version | awk '{print $2}')"
	args=()
	for i in "${!names[@]}"; do args+=(-n "${names[i]}" "${cmds[i]}"); done
	hyperfine -N -i --style none -w "$warmup" -r "$runs" --export-csv "$work/h.csv" "${args[@]}" \
		>"$work/hyperfine.log" 2>&1 || { cat "$work/hyperfine.log" >&2; die "hyperfine failed"; }
	# CSV columns: command,mean,stddev,median,user,system,min,max (seconds).
	while IFS=, read -r name m _ med u sy lo hi; do
		[[ $name == command ]] && continue
		mean[$name]=$(awk -v x="$m" 'BEGIN{printf "%.1f", x*1000}')
		cpu[$name]=$(awk -v u="$u" -v s="$sy" 'BEGIN{printf "%.1f", (u+s)*1000}')
		median[$name]=$(awk -v x="$med" 'BEGIN{printf "%.1f", x*1000}')
		minimum[$name]=$(awk -v x="$lo" 'BEGIN{printf "%.1f", x*1000}')
		maximum[$name]=$(awk -v x="$hi" 'BEGIN{printf "%.1f", x*1000}')
	done <"$work/h.csv"
else
	# One loop, the commands interleaved round by round, so load from
	# elsewhere on the machine hits every command alike. EPOCHREALTIME
	# (bash 5) needs no fork per reading.
	tool="bash loop, interleaved rounds, \$EPOCHREALTIME"
	for ((r = 0; r < warmup + runs; r++)); do
		for i in "${!names[@]}"; do
			t0=${EPOCHREALTIME/[.,]/}
			eval "${cmds[i]}" </dev/null >/dev/null 2>&1 || true
			t1=${EPOCHREALTIME/[.,]/}
			((r >= warmup)) && echo $((t1 - t0)) >>"$work/times-${names[i]}"
		done
	done
	for name in "${names[@]}"; do
		cpu[$name]=n/a
		read -r mean[$name] median[$name] minimum[$name] maximum[$name] < <(sort -n "$work/times-$name" | awk '
			{ v[NR] = $1 / 1000; s += v[NR] }
			END {
				med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
				printf "%.1f %.1f %.1f %.1f\n", s / NR, med, v[1], v[NR]
			}')
	done
fi

# Peak RSS of (b): the largest maxrss over a few runs (KiB from GNU time).
rss_b="n/a (no /usr/bin/time)"
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	peak=0
	for i in 1 2 3 4 5; do
		eval "/usr/bin/time -o $(quote "$work/rss") -f %M ${cmds[1]}" </dev/null >/dev/null 2>&1 || true
		kib=$(tail -n1 "$work/rss")
		[[ $kib =~ ^[0-9]+$ ]] && ((kib > peak)) && peak=$kib
	done
	rss_b=$(awk -v k="$peak" 'BEGIN{printf "%.1f MiB (%d KiB)", k/1024, k}')
fi

ratio() { awk -v x="$1" -v y="$2" 'BEGIN{ if (y + 0 == 0) print "n/a"; else printf "%.2f", x/y }'; }
verdict() { awk -v x="$1" -v t="$2" 'BEGIN{print (x <= t) ? "meets target" : "over target"}'; }
# row NUM DEN LABEL: the mean and median ratios of two commands.
row() {
	local rm rmed
	rm=$(ratio "${mean[$1]}" "${mean[$2]}")
	rmed=$(ratio "${median[$1]}" "${median[$2]}")
	rcpu=$(ratio "${cpu[$1]}" "${cpu[$2]}")
	echo "| $3 | ${rm}× | ${rmed}× | ${rcpu}× | ≤ ${target_ratio}× | $(verdict "$rmed" "$target_ratio") (median) |"
}

echo "## certlint benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(openssl version | awk '{print $1, $2}'), $(go version 2>/dev/null | awk '{print $3}'), load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Timing: $tool, $runs runs after $warmup warm-up runs; server: openssl s_server on 127.0.0.1:$port, RSA-2048 leaf + intermediate; Go binaries built with CGO_ENABLED=$CGO_ENABLED and timed as copies."
echo
echo "| command | mean (ms) | median (ms) | min (ms) | max (ms) | CPU user+sys (ms) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for i in "${!names[@]}"; do
	n=${names[i]}
	echo "| ${labels[i]} | ${mean[$n]} | ${median[$n]} | ${minimum[$n]} | ${maximum[$n]} | ${cpu[$n]} |"
done
echo
echo "Wall-clock ratios are what the goal is stated in; on a loaded machine the CPU ratio (the process's own user+sys time, hyperfine's mean) is the steadier reading."
echo
echo "| ratio | mean | median | CPU | target | |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
row b a "(b)/(a) live vs bare s_client"
row b f "(b)/(f) live vs the floor: as many bare handshakes as certlint makes"
if [[ -n $certigo ]]; then
	row b g "(b)/(g) live vs certigo connect"
	row c d "(c)/(d) offline vs certigo dump"
fi
echo
echo "(b) peak RSS (max of 5): $rss_b"
