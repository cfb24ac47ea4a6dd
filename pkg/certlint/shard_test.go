package certlint

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/pkg/report"
)

func fleet(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			out = append(out, fmt.Sprintf("host%d.example.com", i))
		case 1:
			out = append(out, fmt.Sprintf("hub%d.azure-devices.net:8883", i))
		case 2:
			out = append(out, fmt.Sprintf("mqtts://broker%d.example.org", i))
		default:
			out = append(out, fmt.Sprintf("10.0.%d.%d:443", i/256, i%256))
		}
	}
	return out
}

// Every target is in exactly one shard, for every N, and the shards are
// not wildly uneven.
func TestShardCoverage(t *testing.T) {
	targets := fleet(10000)
	for _, n := range []int{1, 2, 3, 4, 7, 16, 100} {
		counts := make([]int, n+1)
		for _, target := range targets {
			holders := 0
			for i := 1; i <= n; i++ {
				if (Shard{Index: i, Count: n}).Holds(target) {
					holders++
					counts[i]++
				}
			}
			if holders != 1 {
				t.Fatalf("N=%d: %s is in %d shards", n, target, holders)
			}
		}
		for i := 1; i <= n; i++ {
			want := len(targets) / n
			if counts[i] < want*7/10 || counts[i] > want*13/10 {
				t.Errorf("N=%d: shard %d holds %d targets, want about %d", n, i, counts[i], want)
			}
		}
	}
}

// A target's shard depends on the target alone: adding targets moves no
// other, and the forms of one host:port agree.
func TestShardStability(t *testing.T) {
	before := map[string]int{}
	for _, target := range fleet(500) {
		before[target] = ShardOf(target, 8)
	}
	for _, target := range fleet(2000) { // the first 500 are the same targets
		if s, ok := before[target]; ok && ShardOf(target, 8) != s {
			t.Fatalf("%s moved from shard %d", target, s)
		}
	}
	same := []string{"Example.COM", "example.com:443", "https://example.com/", "example.com.", "https://EXAMPLE.com:443/path"}
	for _, target := range same[1:] {
		if ShardOf(target, 16) != ShardOf(same[0], 16) {
			t.Errorf("%s is in shard %d, %s in %d: one host:port, two shards", target, ShardOf(target, 16), same[0], ShardOf(same[0], 16))
		}
	}
	// The rule is documented (SHA-256 of host:port, mod N): pin it so
	// another tool computing it keeps agreeing.
	if got := ShardOf("example.com", 4); got != pinnedShard {
		t.Errorf("ShardOf(example.com, 4) = %d, the documented rule gives %d", got, pinnedShard)
	}
}

func TestParseShard(t *testing.T) {
	for _, ok := range []string{"1/1", "1/4", "4/4", " 2 / 3 "} {
		if _, err := ParseShard(ok); err != nil {
			t.Errorf("ParseShard(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1", "0/4", "5/4", "a/4", "1/0", "-1/4", "1/1000000", "1/4/2"} {
		if _, err := ParseShard(bad); err == nil || !strings.HasPrefix(err.Error(), strconv.Quote(bad)+": want ") {
			t.Errorf("ParseShard(%q) = %v, want an error naming the value", bad, err)
		}
	}
}

// A sharded batch checks exactly its share, in input order; the shards
// together check every target once.
func TestShardedBatch(t *testing.T) {
	_, _, refused, _ := batchServers(t) // refused: fast, and the report names the target
	var targets []string
	for i := 0; i < 24; i++ {
		targets = append(targets, fmt.Sprintf("127.0.0.%d:%s", i+1, refused[strings.LastIndex(refused, ":")+1:]))
	}
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		req := Request{Targets: targets, Devices: []string{"spwf04"}, Timeout: 2 * time.Second, Concurrency: 4, Shard: Shard{Index: i, Count: 3}}
		var got []string
		err := CheckStream(context.Background(), req, func(tr report.TargetReport) error {
			got = append(got, tr.Target)
			seen[tr.Target]++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, target := range targets {
			if ShardOf(target, 3) == i {
				want = append(want, target)
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("shard %d/3 checked %v, want %v", i, got, want)
		}
	}
	for _, target := range targets {
		if seen[target] != 1 {
			t.Errorf("%s checked %d times over the 3 shards", target, seen[target])
		}
	}
}

// pinnedShard is the first 8 bytes of SHA-256("example.com:443") mod 4,
// plus 1, computed outside certlint:
// printf %s example.com:443 | sha256sum gives 2d92752e69614799…, and
// 0x2d92752e69614799 mod 4 + 1 = 2.
const pinnedShard = 2

// BenchmarkShardOf is the per-target cost of --shard.
func BenchmarkShardOf(b *testing.B) {
	targets := fleet(1024)
	i := 0
	for b.Loop() {
		ShardOf(targets[i%len(targets)], 16)
		i++
	}
}
