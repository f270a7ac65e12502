package encryption

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// keyFailure is the last refusal of the Encrypter's key by GenerateDataKey
// (ErrKeyUnavailable, ErrAccessDenied). It is not permanent on the produce
// side, so the messages wait for the key (in an outbox, say), while
// DescribeKey, which Check calls, may still pass: a revoked grant, or a
// policy that allows kms:DescribeKey but not kms:GenerateDataKey, or not
// under this encryption context.
type keyFailure struct {
	err error
	ec  EncryptionContext
	at  time.Time
}

// noteGenerate records the outcome of a GenerateDataKey call under ec for
// Check: a refusal of the key is kept until a call under the same context
// succeeds.
func (e *Encrypter) noteGenerate(ec EncryptionContext, err error) {
	switch {
	case err == nil:
		if cur := e.keyFailure.Load(); cur != nil && cur.ec == ec {
			e.keyFailure.CompareAndSwap(cur, nil)
		}
	case errors.Is(err, ErrKeyUnavailable), errors.Is(err, ErrAccessDenied):
		e.keyFailure.Store(&keyFailure{err: err, ec: ec, at: e.cfg.Clock.Now()})
	}
}

// checkGenerate calls GenerateDataKey again, under the encryption context
// it last refused the key for, while such a refusal is recorded, and
// returns its error: the messages under that context cannot be sent.
func (e *Encrypter) checkGenerate(ctx context.Context) error {
	f := e.keyFailure.Load()
	if f == nil {
		return nil
	}
	if _, err := e.generate(ctx, f.ec); err != nil {
		return fmt.Errorf("encryption health check: GenerateDataKey for destination %q, type %q, refused since %s: %w",
			f.ec.Destination, f.ec.Type, f.at.UTC().Format(time.RFC3339), err)
	}
	return nil
}
