package idempotency

import (
	"time"

	"github.com/sourceflow-go/sourceflow"
)

// DefaultTTL is MiddlewareConfig.TTL's default: sourceflow.MaxDeliveryAge
// (28 days), the longest a message can still be delivered and the
// Decrypter's default MaxAge (encryption.DefaultMaxAge), and an hour more
// for producers whose clocks run ahead (the Decrypter accepts a message
// dated up to its MaxClockSkew, by default 5 minutes, ahead). A replayed
// message the Decrypter still accepts at its defaults is therefore a
// duplicate, as long as the store keeps its record that long: sqlstore and
// dynamostore do; a MemoryStore only while it holds fewer than MaxEntries
// records (its default 100 000 is about 3 500 messages a day over 28
// days), after which it evicts completed records early (MemoryStats.Evicted
// counts them) and a replay of an evicted one is handled again.
const DefaultTTL = sourceflow.MaxDeliveryAge + time.Hour
