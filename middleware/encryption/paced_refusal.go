package encryption

import (
	"fmt"
	"time"
)

// pacedRefusal is a key refused while resolutions of the allowed keys are
// paced (at most one per interval). It wraps ErrKMS, though no KMS call
// failed, so that the message is tried again after the next resolution,
// which may allow its key; its text says so in the refusal's sentence.
type pacedRefusal struct {
	refusal  error
	interval time.Duration
}

// Error implements error.
func (e pacedRefusal) Error() string {
	return fmt.Sprintf("%v; the message is tried again later, as the allowed keys were resolved less than %s ago",
		e.refusal, e.interval)
}

// Unwrap makes errors.Is and errors.As find the refusal and ErrKMS.
func (e pacedRefusal) Unwrap() []error { return []error{e.refusal, ErrKMS} }
