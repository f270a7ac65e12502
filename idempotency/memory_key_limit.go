package idempotency

import (
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow"
)

// checkMemoryArgs is CheckArgs for the MemoryStore, which also refuses a key
// part longer than MaxKeyLength: MaxEntries bounds the number of records,
// and this bounds the size of each.
func checkMemoryArgs(key Key, d time.Duration) error {
	if err := CheckArgs(key, d); err != nil {
		return err
	}
	return checkKeyLength(key)
}

// checkMemoryKey is Key.Validate for the MemoryStore (see checkMemoryArgs).
func checkMemoryKey(key Key) error {
	if err := key.Validate(); err != nil {
		return err
	}
	return checkKeyLength(key)
}

// checkKeyLength reports ErrInvalidKey for a key part longer than
// MaxKeyLength, naming the part and showing it as sourceflow.IDText does.
func checkKeyLength(key Key) error {
	for _, p := range [...]struct{ name, part string }{{"consumer", key.Consumer}, {"message id", key.MessageID}} {
		if len(p.part) > MaxKeyLength {
			return fmt.Errorf("%w: the %s is %d bytes, over %d: %s",
				ErrInvalidKey, p.name, len(p.part), MaxKeyLength, sourceflow.IDText(p.part))
		}
	}
	return nil
}
