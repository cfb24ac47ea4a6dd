package certlint

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

// Shard selects one part of a batch (--shard I/N) so that N jobs (a CI
// matrix, a Kubernetes Indexed Job) each check their share of one targets
// file. Index is 1-based: 1 <= Index <= Count.
//
// The split is a pure function of each target: the first 8 bytes of the
// SHA-256 of its normalized form (lower-case host without a trailing dot,
// ":", the port, defaulted from the scheme as for checking: 443, mqtts
// 8883, amqps 5671), read as a big-endian number, modulo Count; shard I
// takes the targets whose remainder is I-1. (The shell can reproduce it:
// printf %s example.com:443 | sha256sum.)
// So every target is in exactly one shard, the same target always lands in
// the same shard wherever it is in the file, and adding or removing a
// target moves no other. A target certlint cannot parse is hashed as
// written.
type Shard struct {
	Index, Count int
}

// maxShards bounds N: more shards than this is a typo, not a fleet.
const maxShards = 100000

// ParseShard reads I/N (1/4, 2/4, ...).
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	index, err1 := strconv.Atoi(strings.TrimSpace(i))
	count, err2 := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("%q: want I/N, e.g. 1/4", s)
	}
	if count < 1 || count > maxShards || index < 1 || index > count {
		return Shard{}, fmt.Errorf("%q: want 1 <= I <= N <= %d", s, maxShards)
	}
	return Shard{Index: index, Count: count}, nil
}

// String is the shard as --shard takes it.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Holds reports whether the target belongs to this shard. The zero Shard
// holds every target.
func (s Shard) Holds(target string) bool {
	if s.Count <= 1 {
		return true
	}
	return ShardOf(target, s.Count) == s.Index
}

// ShardOf is the 1-based shard of a target among count shards (see Shard).
func ShardOf(target string, count int) int {
	sum := sha256.Sum256([]byte(normalizeTarget(target)))
	return int(binary.BigEndian.Uint64(sum[:8])%uint64(count)) + 1
}

// normalizeTarget is the form a target is hashed in: host:port, the host
// lower-case without a trailing dot.
func normalizeTarget(target string) string {
	t, err := chain.ParseTarget(target)
	if err != nil {
		return strings.TrimSpace(target)
	}
	host := strings.TrimSuffix(strings.ToLower(t.Host), ".")
	return host + ":" + strconv.Itoa(t.Port)
}
