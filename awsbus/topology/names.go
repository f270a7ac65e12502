package topology

import (
	"fmt"
	"strings"
)

// FIFOSuffix is the name suffix that makes an SQS queue or SNS topic FIFO.
const FIFOSuffix = ".fifo"

// DLQSuffix is appended to a queue's base name to name its dead-letter queue
// (before the FIFO suffix: "orders.fifo" → "orders-dlq.fifo").
const DLQSuffix = "-dlq"

// Name limits set by AWS.
const (
	// MaxQueueNameLength is the longest SQS queue name, ".fifo" included.
	MaxQueueNameLength = 80
	// MaxTopicNameLength is the longest SNS topic name, ".fifo" included.
	MaxTopicNameLength = 256
)

// IsFIFO reports whether a queue or topic name names a FIFO resource.
func IsFIFO(name string) bool { return strings.HasSuffix(name, FIFOSuffix) }

// baseName strips the FIFO suffix.
func baseName(name string) string { return strings.TrimSuffix(name, FIFOSuffix) }

// withFIFO appends the FIFO suffix to base when fifo is true.
func withFIFO(base string, fifo bool) string {
	if fifo {
		return base + FIFOSuffix
	}
	return base
}

// DLQName returns the dead-letter queue name of queue: "<base>-dlq", with
// ".fifo" kept for FIFO queues.
func DLQName(queue string) string { return withFIFO(baseName(queue)+DLQSuffix, IsFIFO(queue)) }

// EventQueueNameParams are the inputs of an EventQueueNameFn.
type EventQueueNameParams struct {
	// Service is the subscribing service's name.
	Service string
	// Topic is the subscribed topic's name (the last part of a Foreign
	// topic's ARN).
	Topic string
	// TopicARN is a Foreign topic's ARN, "" for a topic named by name (of
	// the service's own account and region): it tells apart topics of
	// one name in other accounts or regions.
	TopicARN string
}

// EventQueueNameFn names the queue through which a service receives the
// events of one topic.
type EventQueueNameFn func(EventQueueNameParams) string

// DefaultEventQueueName names a service's event queue for a topic
// "<service>-<topic>", with ".fifo" kept for FIFO topics, so a FIFO topic
// always feeds a FIFO queue. Commands never share these queues. New
// tells apart the queues of topics of one name, one of them named by ARN:
// see Options.EventQueueName.
func DefaultEventQueueName(p EventQueueNameParams) string {
	return withFIFO(p.Service+"-"+baseName(p.Topic), IsFIFO(p.Topic))
}

// ValidateQueueName reports whether AWS accepts name as an SQS queue name.
func ValidateQueueName(name string) error { return validateName("queue", name, MaxQueueNameLength) }

// ValidateTopicName reports whether AWS accepts name as an SNS topic name.
func ValidateTopicName(name string) error { return validateName("topic", name, MaxTopicNameLength) }

func validateName(what, name string, maxLen int) error {
	if name == "" {
		return fmt.Errorf("%s name is empty: %w", what, ErrInvalidName)
	}
	if len(name) > maxLen {
		return fmt.Errorf("%s name %q is %d characters, at most %d allowed: %w",
			what, name, len(name), maxLen, ErrInvalidName)
	}
	base := baseName(name)
	if base == "" {
		return fmt.Errorf("%s name %q has nothing before %q: %w", what, name, FIFOSuffix, ErrInvalidName)
	}
	for i, r := range base {
		if !isNameRune(r) {
			return fmt.Errorf("%s name %q has invalid character %q at %d "+
				"(letters, digits, '-' and '_' only, plus a %q suffix): %w",
				what, name, r, i, FIFOSuffix, ErrInvalidName)
		}
	}
	return nil
}

func isNameRune(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') ||
		r == '-' || r == '_'
}
