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

// Version1Deadline returns DecrypterConfig.Version1Until's default,
// 1 February 2027 UTC: version 1 headers, written by releases before
// version 2 (December 2026), are read until then, so that messages sent
// during a rolling upgrade and their dead letters still decrypt. It is the
// upgrade's date plus DefaultMaxAge and a month to roll out. It is a
// function so that no importer can move the deadline of every Decrypter in
// the process; set Version1Until to move one Decrypter's.
func Version1Deadline() time.Time {
	return time.Date(2027, time.February, 1, 0, 0, 0, 0, time.UTC)
}

// admit refuses a header this Decrypter does not take: version 1 after
// Version1Until, a signed message where encryption is required.
func (d *Decrypter) admit(h Header, destination string) error {
	if h.Version == HeaderVersion1 && !d.cfg.Clock.Now().Before(d.cfg.Version1Until) {
		return fmt.Errorf("%w: version 1 (its envelope is not authenticated) was accepted until %s",
			ErrUnsupportedVersion, d.cfg.Version1Until.Format(time.RFC3339))
	}
	if h.Signed && d.cfg.Accept == AcceptEncrypted {
		return fmt.Errorf("%w: destination %q requires encryption and the message is signed only", ErrNotEncrypted, destination)
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
// A version 2 message without an occurred-at time is refused too: the
// Encrypter always authenticates one, so its absence means the message was
// not written by it and its age cannot be checked. A version 1 message
// without one (not sent through SourceFlow's model) is not checked.
func (d *Decrypter) checkAge(version byte, occurredAt string) error {
	if occurredAt == "" {
		if version == HeaderVersion1 {
			return nil
		}
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
