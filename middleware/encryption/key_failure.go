package encryption

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	at  time.Time // since when the key is refused under ec, or unavailable whole when longer past the grace
}

// KeyRefusalGrace is how long GenerateDataKey may refuse the Encrypter's
// key before the Encrypter's errors for it are marked sourceflow.Permanent.
// KMS Decrypt refusing a key for a reason an operator can undo (disabled,
// pending deletion, access denied) is timed by the same rule, per key the
// Decrypter pins Decrypt to or, without DecrypterConfig.KeyIDs, the key
// the message's header names (up to 64 keys apart, the rest together),
// and a Decrypt call of that key that succeeds ends its runs as a
// GenerateDataKey call does; the Decrypter's run under a context also
// ends after a pause of KeyRefusalGrace without a refusal there (at the
// transports' defaults a refused message comes back far sooner, so the key
// served it meanwhile, on another instance or from the data-key cache), so
// a key disabled again after such a pause has a grace again; a message
// whose redelivery is set to come back later than the grace is not made
// permanent by it, but dead-lettered by its transport after its deliveries.
// A refusal under an encryption context (application, type, destination)
// is permanent when either holds:
//
//   - the key has been refused under that context (ErrKeyUnavailable or
//     ErrAccessDenied), with no GenerateDataKey call under it succeeding
//     in between, for KeyRefusalGrace or longer;
//   - the refusal is ErrKeyUnavailable (the key is disabled, pending
//     deletion or otherwise in an invalid state, not found, not usable for
//     encryption (InvalidKeyUsage), or named by a malformed key ARN
//     (InvalidArn)) and the key has been refused so, under any context,
//     with no message served in between (a GenerateDataKey call that
//     succeeded, or a message sealed with a cached data key) and no pause
//     of KeyRefusalGrace between two such refusals, for KeyRefusalGrace or
//     longer: a key unavailable whole fails every context's messages after
//     one grace, not one context after another, while a key unavailable
//     again after a quiet spell of the grace has a grace again.
//
// ErrAccessDenied is judged by its own context's refusals only: KMS denies
// a context that a key policy's condition excludes with the same error as
// a key whose grant was revoked, so the denial of one message type never
// makes another type's first refusal permanent. A key denied whole (a
// revoked grant, a role that lost kms:GenerateDataKey) therefore fails
// each context only once it was denied there for the grace: it holds an
// outbox that relays in order for one grace per distinct encryption
// context (type, destination) queued. Alert on the Encrypter's refusal log
// ("KMS refuses the key") or on the metric sourceflow.aws.kms.failures
// (Stats.GenerateDataKeyFailures) rather than wait for the dead letters.
// The refusals are timed per context for at most 1024 encryption contexts
// at once (a consumed message's type is the sender's to pick): a refusal
// under a context beyond them is timed with every other such refusal of
// the key, since the first of them, and a KMS call of the key that
// succeeds ends that run.
// KeyRefusalGrace is the grace an outbox gives a destination without a
// publisher (15 minutes), so a message that cannot leave holds an outbox
// for the same bound whatever the cause; an operator who enables or grants
// the key later redrives the dead letters.
const KeyRefusalGrace = destgrace.Grace

// wholeKey is how the Encrypter names its one key to its keyRefusals.
const wholeKey = ""

// noteGenerate records the outcome of a GenerateDataKey call under ec and
// returns its error: a refusal of the key is kept for Check until a call
// under the same context succeeds, logged at most once a minute per
// context (and at once when first past the grace), and marked permanent
// as KeyRefusalGrace says.
func (e *Encrypter) noteGenerate(ec EncryptionContext, err error) error {
	switch {
	case err == nil:
		e.refusals.served(wholeKey, ec.canonical())
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
// make it unavailable whole.
func (e *Encrypter) servedCached() { e.refusals.servedCached(wholeKey) }

// refused records that GenerateDataKey refused the key under ec with err
// and returns err with since when, permanent past KeyRefusalGrace under
// ec or, for a key unavailable (not merely denied), under every context.
func (e *Encrypter) refused(ec EncryptionContext, err error) error {
	now := e.cfg.Clock.Now()
	since, over := e.refusals.refused(wholeKey, ec.canonical(), now, err)
	e.keyFailure.Store(&keyFailure{err: err, ec: ec, at: since})
	e.logRefusal(now, ec, since, over, err)
	return refusalErr(err, since, over)
}

// checkGenerate calls GenerateDataKey again, under the encryption context
// it last refused the key for, while such a refusal is recorded, and
// returns its error (which says since when the key is refused): the
// messages under that context cannot be sent. The error shows the message
// type, which the message's sender chose, as sourceflow.IDText does.
func (e *Encrypter) checkGenerate(ctx context.Context) error {
	f := e.keyFailure.Load()
	if f == nil {
		return nil
	}
	if _, err := e.generate(ctx, f.ec); err != nil {
		return fmt.Errorf("encryption health check: GenerateDataKey for destination %q, type %s: %w",
			f.ec.Destination, sourceflow.IDText(f.ec.Type), err)
	}
	return nil
}
