package encryption

import (
	"fmt"
	"time"
)

// DefaultMaxAge is DecrypterConfig.MaxAge's default: 28 days, the longest a
// message can wait in SQS (14 days in its queue, 14 more in the dead-letter
// queue) before a redrive delivers it.
const DefaultMaxAge = 28 * 24 * time.Hour

// Version1Deadline is DecrypterConfig.Version1Until's default: version 1
// headers, written by releases before version 2 (December 2026), are read
// until then, so that messages sent during a rolling upgrade and their dead
// letters still decrypt. It is the upgrade's date plus DefaultMaxAge and a
// month to roll out.
var Version1Deadline = time.Date(2027, time.February, 1, 0, 0, 0, 0, time.UTC)

// admit refuses a header this Decrypter does not take: version 1 after
// Version1Until, a signed message where encryption is required.
func (d *Decrypter) admit(h Header, destination string) error {
	if h.Version == HeaderVersion1 && !d.cfg.Clock.Now().Before(d.cfg.Version1Until) {
		return fmt.Errorf("%w: version 1 (its envelope is not authenticated) was accepted until %s",
			ErrUnsupportedVersion, d.cfg.Version1Until.Format(time.RFC3339))
	}
	if h.Signed && d.cfg.RequireEncryption {
		return fmt.Errorf("%w: destination %q requires encryption and the message is signed only", ErrNotEncrypted, destination)
	}
	return nil
}

// checkAge refuses a message that occurred more than MaxAge ago. A message
// without an occurred-at time (not sent through SourceFlow's model) is not
// checked; in a version 2 header its absence is authenticated too.
func (d *Decrypter) checkAge(occurredAt string) error {
	if occurredAt == "" {
		return nil
	}
	at, err := time.Parse(time.RFC3339Nano, occurredAt)
	if err != nil {
		return fmt.Errorf("%w: occurred-at %q is not an RFC 3339 time", ErrExpired, occurredAt)
	}
	if age := d.cfg.Clock.Now().Sub(at); age > d.cfg.MaxAge {
		return fmt.Errorf("%w: it occurred at %s, %s ago, beyond the maximum age of %s",
			ErrExpired, at.Format(time.RFC3339), age.Round(time.Second), d.cfg.MaxAge)
	}
	return nil
}
