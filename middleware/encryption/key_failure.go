package encryption

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/destgrace"
)

// keyFailure is the last refusal of the Encrypter's key by GenerateDataKey
// (ErrKeyUnavailable, ErrAccessDenied). It is not permanent on the produce
// side until it lasted the grace (KeyRefusalGrace), so the messages wait
// for the key (in an outbox, say), while DescribeKey, which Check calls,
// may still pass: a revoked grant, or a policy that allows kms:DescribeKey
// but not kms:GenerateDataKey, or not under this encryption context.
type keyFailure struct {
	err error
	ec  EncryptionContext
	at  time.Time // since when the key is refused under ec, or whole when longer past the grace
}

// KeyRefusalGrace is how long GenerateDataKey may refuse the Encrypter's
// key (ErrKeyUnavailable, ErrAccessDenied) under one encryption context,
// or under every context tried, before the Encrypter's errors for it are
// marked sourceflow.Permanent: a key refused for one message type (a key
// policy's condition) fails that type's messages once the grace has passed
// for it, and a key refused whole (disabled, its grant revoked) fails every
// message once the grace has passed since it last served one (a
// GenerateDataKey call that succeeded, or a message sealed with a cached
// data key), not one context after another. It
// is the grace an outbox gives a destination without a publisher
// (15 minutes), so a message that cannot leave holds an outbox, which
// relays in order, for the same bound whatever the cause; an operator who
// enables or grants the key later redrives the dead letters.
const KeyRefusalGrace = destgrace.Grace

// wholeKey is the refusals clock's entry for the key under any context:
// no encryption context is empty.
const wholeKey = ""

// refusalLogEvery is the least time between two logs of the key refused.
const refusalLogEvery = time.Minute

// noteGenerate records the outcome of a GenerateDataKey call under ec and
// returns its error: a refusal of the key is kept for Check until a call
// under the same context succeeds, logged at most once a minute, and
// marked permanent once it lasted KeyRefusalGrace under ec.
func (e *Encrypter) noteGenerate(ec EncryptionContext, err error) error {
	switch {
	case err == nil:
		e.refusals.Found(ec.canonical())
		e.wholeRefused.Store(false)
		e.refusals.Found(wholeKey)
		if cur := e.keyFailure.Load(); cur != nil && cur.ec == ec {
			e.keyFailure.CompareAndSwap(cur, nil)
		}
		return nil
	case errors.Is(err, ErrKeyUnavailable), errors.Is(err, ErrAccessDenied):
		return e.refused(ec, err)
	}
	return err
}

// servedCached records that the key sealed a message with a cached data
// key: it served one, so a run of refusals under other contexts does not
// make it refused whole. The flag spares the cache hit a lock while no
// such run is under way.
func (e *Encrypter) servedCached() {
	if e.wholeRefused.Load() && e.wholeRefused.CompareAndSwap(true, false) {
		e.refusals.Found(wholeKey)
	}
}

// refused records that GenerateDataKey refused the key under ec with err
// and returns err with since when, permanent past KeyRefusalGrace.
func (e *Encrypter) refused(ec EncryptionContext, err error) error {
	now := e.cfg.Clock.Now()
	failing, over := e.refusals.Failed(ec.canonical())
	whole, wholeOver := e.refusals.Failed(wholeKey)
	e.wholeRefused.Store(true)
	if wholeOver {
		failing, over = max(failing, whole), true
	}
	since := now.Add(-failing)
	e.keyFailure.Store(&keyFailure{err: err, ec: ec, at: since})
	e.logRefusal(now, ec, since, over, err)
	at := since.UTC().Format(time.RFC3339)
	if over {
		return sourceflow.Permanent(fmt.Errorf("%w (key refused since %s, past the grace of %v)",
			err, at, KeyRefusalGrace))
	}
	return fmt.Errorf("%w (key refused since %s, retried for up to %v)", err, at, KeyRefusalGrace)
}

// logRefusal logs a refusal of the key, unless one was logged less than
// refusalLogEvery before now: the Encrypter has one key, so that is at most
// once a minute per key.
func (e *Encrypter) logRefusal(now time.Time, ec EncryptionContext, since time.Time, over bool, err error) {
	last := e.refusalLogged.Load()
	if last != 0 && now.Sub(time.Unix(0, last)) < refusalLogEvery {
		return
	}
	if !e.refusalLogged.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	msg := "encryption: KMS refuses the key; its messages are retried until the grace ends"
	if over {
		msg = "encryption: KMS refuses the key past the grace; its messages fail permanently"
	}
	e.cfg.Logger.Error(msg, err, watermill.LogFields{
		"key_id": e.cfg.KeyID, "destination": ec.Destination, "type": ec.Type,
		"refused_since": since.UTC().Format(time.RFC3339), "grace": KeyRefusalGrace.String(),
	})
}

// checkGenerate calls GenerateDataKey again, under the encryption context
// it last refused the key for, while such a refusal is recorded, and
// returns its error (which says since when the key is refused): the
// messages under that context cannot be sent.
func (e *Encrypter) checkGenerate(ctx context.Context) error {
	f := e.keyFailure.Load()
	if f == nil {
		return nil
	}
	if _, err := e.generate(ctx, f.ec); err != nil {
		return fmt.Errorf("encryption health check: GenerateDataKey for destination %q, type %q: %w",
			f.ec.Destination, f.ec.Type, err)
	}
	return nil
}
