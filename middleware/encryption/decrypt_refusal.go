package encryption

import (
	"errors"
	"time"

	"github.com/sourceflow-go/sourceflow"
)

// noteDecrypt records the outcome of a KMS Decrypt call of a data key
// presented under ec, by key (the key Decrypt is pinned to or, unpinned,
// the one the message's header names), and returns its error. A refusal
// an operator can undo (the key disabled or pending deletion,
// DisabledException or KMSInvalidStateException, or access denied) is
// timed as on the produce side (KeyRefusalGrace): the message
// is tried again while the key is refused for less than the grace, and
// dead-lettered, saying since when, after. Within the grace the error
// hints when to try again (sourceflow.RetryAfter, see refusalRetry), so
// the transport's deliveries span the grace. Only a Decrypt call that
// succeeds ends a run; a message decrypted with a cached data key does
// not, since that cache expires (KeyCacheTTL) well within the grace.
func (d *Decrypter) noteDecrypt(key string, ec EncryptionContext, err error) error {
	if err == nil {
		d.refusals.served(key, ec.canonical())
		return nil
	}
	if !undoableRefusal(err) {
		return err
	}
	now := d.cfg.Clock.Now()
	since, over := d.refusals.refused(key, ec.canonical(), now, err)
	if over {
		return refusalErr(err, since, over)
	}
	return sourceflow.RetryAfter(refusalErr(err, since, over), refusalRetry(KeyRefusalGrace-now.Sub(since)))
}

// refusalRetry is the delay a message refused with left of the grace
// hints: a quarter of KeyRefusalGrace (3m45s), so that the transports'
// default deliveries (5 on cqrs's ChannelTransport, 8 on its
// PubSubTransport and on awsbus) span the whole grace, or what is left of
// it when that is less, so the message comes back once the grace ended;
// rounded up to a whole second (at least one), as SQS counts a visibility
// timeout.
func refusalRetry(left time.Duration) time.Duration {
	d := min(left, KeyRefusalGrace/4)
	return max((d + time.Second - 1).Truncate(time.Second), time.Second)
}

// undoableRefusal reports whether err is a refusal of a KMS key that an
// operator can undo: access denied (a key policy, grant or role), a
// disabled key, or one in an invalid state (pending deletion, which can be
// cancelled, or in a disconnected custom key store). A key that does not
// exist, a malformed key ARN, a key not usable for decryption and a
// ciphertext KMS rejects never succeed.
func undoableRefusal(err error) bool {
	if errors.Is(err, ErrAccessDenied) {
		return true
	}
	switch apiCode(err) {
	case "DisabledException", "KMSInvalidStateException":
		return errors.Is(err, ErrKeyUnavailable)
	}
	return false
}
