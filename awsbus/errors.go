package awsbus

import (
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// Transport errors: returned by the Transport and its Bind, Subscriber and
// NewEncryption.
var (
	// ErrInvalidConfig wraps every configuration problem reported by
	// Config.Validate or NewTransport (a missing client among them), and
	// the routing problems Bind finds in the Binding
	// (joined with topology.ErrInvalidPlan). Fix the fields named in the
	// message.
	ErrInvalidConfig = errors.New("awsbus: invalid configuration")

	// ErrNotBound is returned by Transport methods called before Bind
	// succeeded.
	ErrNotBound = errors.New("awsbus: transport is not bound")

	// ErrAlreadyBound is returned by Bind once a Bind succeeded: a
	// Transport is bound once, to one Binding. Build a new Transport for
	// another Binding.
	ErrAlreadyBound = errors.New("awsbus: Bind called twice")

	// ErrUnknownDestination is returned for a destination that the bound
	// routing does not contain.
	ErrUnknownDestination = errors.New("awsbus: unknown destination")

	// ErrNotListened is returned by Subscriber for a destination the service
	// does not listen to.
	ErrNotListened = errors.New("awsbus: destination is not listened to")

	// ErrEncryptionDisabled is returned by NewEncryption when
	// Config.KMSKeyID is empty: set it, or run the service without the
	// encryption phases.
	ErrEncryptionDisabled = errors.New("awsbus: encryption is not enabled")

	// ErrClosed is returned by Transport methods called after Close.
	ErrClosed = errors.New("awsbus: transport is closed")
)

// Sentinel errors of the SQS/SNS wire format, the publisher and the
// subscriber. Typed errors below match them with errors.Is.
var (
	// ErrInvalidPayload reports a payload that is empty or not valid UTF-8
	// text made of the characters SQS and SNS accept. Encrypted bodies must
	// be encoded (base64) before they reach the transport.
	ErrInvalidPayload = errors.New("awsbus: payload is not valid message text")

	// ErrInvalidAttribute reports a metadata key that is not a valid message
	// attribute name, or a value SQS would reject.
	ErrInvalidAttribute = errors.New("awsbus: invalid message attribute")

	// ErrAttributeBudget reports a message that needs more message attributes
	// than SQS and SNS raw delivery carry. errors.As to *BudgetError.
	ErrAttributeBudget = errors.New("awsbus: attribute budget exceeded")

	// ErrMessageTooLarge reports a message over the size limit of its
	// service. errors.As to *SizeError. It is sourceflow.ErrMessageTooLarge,
	// which cqrs.PubSubTransport's size check returns too.
	ErrMessageTooLarge = sourceflow.ErrMessageTooLarge

	// ErrMissingEntityID reports a message for a FIFO destination without the
	// entity id that becomes its message group id.
	ErrMissingEntityID = errors.New("awsbus: FIFO destination needs an entity id")

	// ErrPublishFailed reports messages that AWS did not accept. errors.As to
	// *PublishError for the failed message UUIDs.
	ErrPublishFailed = errors.New("awsbus: publish failed")

	// ErrMalformedMessage reports a received message whose envelope attribute
	// cannot be read or holds a key it never carries (see UnpackAttributes),
	// or whose body is an SNS notification envelope (a subscription without
	// raw message delivery). Such a message is dead-lettered with the reason.
	ErrMalformedMessage = errors.New("awsbus: malformed message")

	// ErrPublisherClosed is returned by Publish after Close.
	ErrPublisherClosed = errors.New("awsbus: publisher is closed")

	// ErrSubscriberClosed is returned by Subscribe after Close.
	ErrSubscriberClosed = errors.New("awsbus: subscriber is closed")
)

// BudgetError is returned when a message needs more attributes than the
// budget allows.
type BudgetError struct {
	// UUID is the Watermill message UUID.
	UUID string
	// Count is the number of attributes the message needs.
	Count int
	// Budget is the most attributes allowed.
	Budget int
	// Keys are the attribute names the message needs.
	Keys []string
}

// Error names the message (its UUID as sourceflow.IDText shows it), the
// count, the budget and the first ten keys, each quoted as errtext.Quote
// bounds it, then how many more there are: a received message may carry
// a thousand keys into the metadata of one published in turn, and the
// text reaches log lines and a dead letter's reason. Keys lists them all.
func (e *BudgetError) Error() string {
	keys := errtext.List(len(e.Keys), ", ", ", ", func(i int) string { return errtext.Quote(e.Keys[i], sourceflow.MaxCorrelationIDLen) })
	return fmt.Sprintf("%v: message %s needs %d attributes, at most %d allowed: %s",
		ErrAttributeBudget, sourceflow.IDText(e.UUID), e.Count, e.Budget, keys)
}

// Unwrap returns ErrAttributeBudget.
func (e *BudgetError) Unwrap() error { return ErrAttributeBudget }

// SizeError is returned when a message is larger than its service ("SQS"
// or "SNS") accepts. It is sourceflow.SizeError.
type SizeError = sourceflow.SizeError

// FailedMessage is one message AWS did not accept.
type FailedMessage struct {
	// UUID is the Watermill message UUID.
	UUID string
	// Reason is the AWS error code and message, or the call's error.
	Reason string
}

// PublishError lists the messages of one Publish call that were not sent.
// Messages not listed were sent.
type PublishError struct {
	// Destination is the destination name.
	Destination string
	// Failed are the messages that were not sent.
	Failed []FailedMessage
}

// Error counts the failed messages and names the first ten, each by its
// UUID as sourceflow.IDText shows it (a message may carry the UUID of one
// its handler received, which the sender chose) and its reason, then how
// many more failed: one Publish may carry thousands of messages, and the
// text reaches log lines and span status. Failed lists them all.
func (e *PublishError) Error() string {
	failed := errtext.List(len(e.Failed), "; ", "; ", func(i int) string { return sourceflow.IDText(e.Failed[i].UUID) + ": " + e.Failed[i].Reason })
	return fmt.Sprintf("%v: %d message(s) to %s not sent: %s",
		ErrPublishFailed, len(e.Failed), e.Destination, failed)
}

// Unwrap returns ErrPublishFailed.
func (e *PublishError) Unwrap() error { return ErrPublishFailed }
