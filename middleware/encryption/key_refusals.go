package encryption

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/destgrace"
)

// keyRefusals times the refusals of KMS keys (ErrKeyUnavailable,
// ErrAccessDenied) as KeyRefusalGrace says, for the Encrypter's
// GenerateDataKey calls and the Decrypter's Decrypt calls alike: per key
// and encryption context, and per key whole. A key is named as its side
// knows it: "" for the Encrypter's one key, the key Decrypt is pinned to
// or, unpinned, the key the message's header names for the Decrypter's, so
// that one key's refusals or successes do not time another's.
//
// The encryption contexts timed are at most maxRefusedContexts: a consumed
// message's context is the sender's to pick (its type), so a sender
// could otherwise grow the clock per context without bound, and make each
// refusal's sweep of it ever slower, with messages under a key KMS refuses.
// A refusal under a context beyond the cap is timed by the key's overflow
// clock instead: since when the key is refused under such contexts, with
// no KMS call of the key succeeding in between.
type keyRefusals struct {
	byContext *destgrace.Clock // since when a key is refused under a context
	overflow  *destgrace.Clock // since when a key is refused under contexts beyond the cap
	whole     *destgrace.Clock // since when a key is unavailable whole
	wholeRun  atomic.Bool      // whole may have a run (spares servedCached a lock)
}

// newKeyRefusals returns the clocks of an Encrypter reading now. The whole
// clock forgets a run after a pause of the grace, since no success ends it
// while nothing is sent: a key disabled again after such a pause has a
// grace again. The clock per context keeps its day, so that a context's
// refusals far apart (a sender trying again at long intervals) still add
// up.
func newKeyRefusals(now func() time.Time) *keyRefusals {
	return newRefusals(now, destgrace.NewClock(now))
}

// newDecryptRefusals returns the clocks of a Decrypter reading now. Its
// clock per context, too, forgets a run after a pause of the grace: at the
// transports' defaults a refused message comes back far more often (awsbus
// backs it off 5 minutes at most, unless NackBackoff is set longer), so
// such a pause means the key served the context's messages meanwhile, on
// another instance or from the data-key cache, neither of which ends the
// run here; kept for a day, the run would make the first refusal of a key
// disabled again permanent at once. A redelivery slower than the grace
// (awsbus NackBackoff, cqrs.ChannelConfig.RedeliveryDelay set past it)
// starts a run at each refusal, so a message refused there is never
// permanent: the transport dead-letters it after its deliveries
// (maxReceiveCount, MaxDeliveries) instead.
func newDecryptRefusals(now func() time.Time) *keyRefusals {
	return newRefusals(now, destgrace.NewClockForgetting(now, KeyRefusalGrace))
}

// newRefusals returns clocks reading now that time a key per encryption
// context with byContext; the overflow and whole clocks forget a run after
// a pause of the grace on either side.
func newRefusals(now func() time.Time, byContext *destgrace.Clock) *keyRefusals {
	return &keyRefusals{
		byContext: byContext,
		overflow:  destgrace.NewClockForgetting(now, KeyRefusalGrace),
		whole:     destgrace.NewClockForgetting(now, KeyRefusalGrace),
	}
}

// maxRefusedContexts is how many encryption contexts (with the key KMS
// is asked to use) an Encrypter or Decrypter times the refusals of a KMS
// key under, each for KeyRefusalGrace. A refusal under a context beyond
// them, while they are refused, is timed with every other such refusal of
// the key, since the first of them: a sender's messages under random
// types and a key KMS refuses cost a bounded memory and time, and can make
// no more than those other contexts' messages permanent early.
const maxRefusedContexts = 1024

// contextEntry is the byContext entry of key under the canonical context.
func contextEntry(key, canonical string) string { return key + "\n" + canonical }

// served records that key served a message under the canonical context
// (its KMS call succeeded): its runs of refusals end.
func (r *keyRefusals) served(key, canonical string) {
	r.byContext.Found(contextEntry(key, canonical))
	for _, c := range []*destgrace.Clock{r.overflow, r.whole} {
		c.Found(key)
		c.Found(anyKey)
	}
}

// servedCached records that key, the only one these clocks time, served a
// message with a cached data key: a run of refusals under other contexts
// does not make it unavailable whole.
func (r *keyRefusals) servedCached(key string) {
	if r.wholeRun.Load() && r.wholeRun.CompareAndSwap(true, false) {
		r.whole.Found(key)
	}
}

// refused records that KMS refused key under the canonical context with
// err (ErrKeyUnavailable or ErrAccessDenied) and returns since when, and
// whether the refusal is past the grace: under that context (or, beyond
// maxRefusedContexts, under the contexts beyond it) or, for a key
// unavailable (not merely denied), whole.
func (r *keyRefusals) refused(key, canonical string, now time.Time, err error) (since time.Time, over bool) {
	failing, over, timed := r.byContext.FailedWithin(contextEntry(key, canonical), maxRefusedContexts)
	if !timed {
		failing, over = keyRun(r.overflow, key)
	}
	if errors.Is(err, ErrKeyUnavailable) {
		whole, wholeOver := keyRun(r.whole, key)
		r.wholeRun.Store(true)
		if wholeOver {
			failing, over = max(failing, whole), true
		}
	}
	return now.Add(-failing), over
}

// maxRefusedKeys is how many keys the overflow and whole clocks time
// apart. A Decrypter without KeyIDs names a key as the message's header
// does, which the sender writes: the refusals of keys beyond these are
// timed together, as anyKey, and a KMS call of any key that succeeds ends
// that run.
const maxRefusedKeys = 64

// anyKey names the keys beyond maxRefusedKeys (a key id has no newline).
const anyKey = "\n"

// keyRun records a refusal of key on clock, or of anyKey when the clock
// times maxRefusedKeys others, and returns how long the run lasts and
// whether that is the grace or more.
func keyRun(clock *destgrace.Clock, key string) (failing time.Duration, over bool) {
	failing, over, timed := clock.FailedWithin(key, maxRefusedKeys)
	if !timed {
		failing, over = clock.Failed(anyKey)
	}
	return failing, over
}

// inGrace is a refusal of a KMS key that has not yet lasted
// KeyRefusalGrace: not permanent on either side (see isPermanent).
type inGrace struct{ error }

// Unwrap returns the refusal.
func (e inGrace) Unwrap() error { return e.error }

// refusalErr returns err, a refusal of the key since since, saying so:
// permanent when over the grace, else inGrace.
func refusalErr(err error, since time.Time, over bool) error {
	at := since.UTC().Format(time.RFC3339)
	if over {
		return sourceflow.Permanent(fmt.Errorf("%w (key refused since %s, past the grace of %v)",
			err, at, KeyRefusalGrace))
	}
	return inGrace{fmt.Errorf("%w (key refused since %s, retried for up to %v)", err, at, KeyRefusalGrace)}
}
