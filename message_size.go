package sourceflow

import (
	"errors"
	"fmt"
)

// ErrMessageTooLarge reports a message over the size limit of the service
// that would carry it, refused before it was sent: awsbus's publisher
// refuses one over the SQS or SNS limit, and cqrs.PubSubTransport one over
// PubSubConfig.MaxMessageBytes. errors.As to *SizeError. The refusal is
// marked Permanent: no retry makes the message smaller, so an outbox
// dead-letters its row with the reason.
var ErrMessageTooLarge = errors.New("sourceflow: message too large")

// SizeError is returned when a message is larger than the service that
// would carry it accepts.
type SizeError struct {
	// UUID is the Watermill message UUID.
	UUID string
	// Service names what limits the size: "SQS" or "SNS" for awsbus, "the
	// Pub/Sub" for cqrs.PubSubTransport.
	Service string
	// Size is the message's size in bytes as Service counts it: body plus
	// attributes (metadata).
	Size int
	// Limit is the service limit in bytes.
	Limit int
}

// Error names the message (its UUID as IDText shows it), the size and the
// limit.
func (e *SizeError) Error() string {
	return fmt.Sprintf("%v: message %s is %d bytes, %s accepts at most %d",
		ErrMessageTooLarge, IDText(e.UUID), e.Size, e.Service, e.Limit)
}

// Unwrap returns ErrMessageTooLarge.
func (e *SizeError) Unwrap() error { return ErrMessageTooLarge }
