package encryption

import (
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow"
)

// DefaultMaxAge is DecrypterConfig.MaxAge's default:
// sourceflow.MaxDeliveryAge, 28 days, the longest a message can wait in SQS
// (14 days in its queue, 14 more in the dead-letter queue) before a
// redrive delivers it. The idempotency middleware's default TTL
// (idempotency.DefaultTTL) covers it and DefaultMaxClockSkew.
const DefaultMaxAge = sourceflow.MaxDeliveryAge

// admit refuses a header this Decrypter does not take: version 1 unless
// Version1Until is set and not yet reached, a signed message where
// encryption is required.
func (d *Decrypter) admit(h Header, destination string) error {
	if h.Version == HeaderVersion1 {
		if err := d.admitVersion1(); err != nil {
			return err
		}
	}
	if h.Signed && d.cfg.Accept == AcceptEncrypted {
		return fmt.Errorf("%w: destination %q requires encryption and the message is signed only", ErrNotEncrypted, destination)
	}
	return nil
}

// admitVersion1 refuses a version 1 header unless the Decrypter opted in to
// reading them (DecrypterConfig.Version1Until) and the date is not reached.
func (d *Decrypter) admitVersion1() error {
	if d.cfg.Version1Until.IsZero() {
		return fmt.Errorf("%w: version 1 (its envelope is not authenticated) is refused; "+
			"set DecrypterConfig.Version1Until to read it while upgrading from a release that wrote it",
			ErrUnsupportedVersion)
	}
	if !d.cfg.Clock.Now().Before(d.cfg.Version1Until) {
		return fmt.Errorf("%w: version 1 (its envelope is not authenticated) was accepted until %s (DecrypterConfig.Version1Until)",
			ErrUnsupportedVersion, d.cfg.Version1Until.Format(time.RFC3339))
	}
	return nil
}

// DefaultMaxClockSkew is DecrypterConfig.MaxClockSkew's default: how far
// ahead of the consumer's clock a message may be dated, for producers whose
// clocks run a little fast.
const DefaultMaxClockSkew = 5 * time.Minute

// checkAge refuses a message that occurred more than MaxAge ago, or that is
// dated more than MaxClockSkew ahead: such a message would stay acceptable
// for MaxAge after its date, longer than the idempotency store remembers it.
// A message without an occurred-at time is refused too: the Encrypter
// always authenticates one with a version 2 message, so its absence means
// the message was not written by it, and a version 1 message (read only
// when Version1Until is set) without one could be of any age.
func (d *Decrypter) checkAge(occurredAt string) error {
	if occurredAt == "" {
		return fmt.Errorf("%w: it carries no occurred-at time (metadata %s), so its age cannot be checked",
			ErrExpired, sourceflow.MetaOccurredAt)
	}
	at, err := time.Parse(time.RFC3339Nano, occurredAt)
	if err != nil {
		return fmt.Errorf("%w: occurred-at %s is not an RFC 3339 time", ErrExpired, quotedText(occurredAt))
	}
	now := d.cfg.Clock.Now()
	if ahead := at.Sub(now); ahead > d.cfg.MaxClockSkew {
		return fmt.Errorf("%w: it is dated %s, %s in the future, beyond the allowed clock skew of %s",
			ErrExpired, at.Format(time.RFC3339), ahead.Round(time.Second), d.cfg.MaxClockSkew)
	}
	if age := now.Sub(at); age > d.cfg.MaxAge {
		return fmt.Errorf("%w: it occurred at %s, %s ago, beyond the maximum age of %s",
			ErrExpired, at.Format(time.RFC3339), age.Round(time.Second), d.cfg.MaxAge)
	}
	return nil
}
