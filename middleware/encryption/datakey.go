package encryption

import (
	"sync/atomic"
	"time"
)

// dataKey is a plaintext data key ready for use, with its KMS-wrapped form and
// its usage so far. The key bytes live only inside keys and are never
// overwritten: when the key is retired the cache drops its reference, and any
// goroutine still encrypting with it finishes with the intact key (zeroing in
// place would race with those users and produce undecryptable messages).
type dataKey struct {
	keys     keys
	wrapped  []byte
	keyID    string
	created  time.Time
	messages atomic.Int64
	bytes    atomic.Int64
}

// dataKeyLimits bounds how long and how much one data key is used.
type dataKeyLimits struct {
	maxAge      time.Duration
	maxMessages int64
	maxBytes    int64
}

// reserve counts one message of n bytes against k and reports whether k may
// encrypt it. A refused reservation leaves the key exhausted.
func (k *dataKey) reserve(now time.Time, n int64, l dataKeyLimits) bool {
	if now.Sub(k.created) >= l.maxAge {
		return false
	}
	if k.messages.Add(1) > l.maxMessages {
		return false
	}
	// The message that crosses the byte bound is the last one, so that a
	// fresh key always takes at least one message, however large.
	return k.bytes.Add(n)-n < l.maxBytes
}

// usable reports whether k has room left, without reserving any.
func (k *dataKey) usable(now time.Time, l dataKeyLimits) bool {
	return now.Sub(k.created) < l.maxAge && k.messages.Load() < l.maxMessages && k.bytes.Load() < l.maxBytes
}
