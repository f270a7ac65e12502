package topology

import "errors"

var (
	// ErrInvalidPlan wraps every problem New finds in a Binding and its
	// Options. Fix the fields named in the message.
	ErrInvalidPlan = errors.New("topology: invalid plan")

	// ErrInvalidFile wraps every problem DecodeFile finds in a topology
	// file: YAML syntax, unknown fields, invalid values and what New rejects.
	// Each problem names the field and its line; fix them in the file.
	ErrInvalidFile = errors.New("topology: invalid topology file")

	// ErrInvalidConfig wraps every problem of a ProvisionerConfig, and a
	// destination ARN New cannot use (malformed, of the wrong service, or
	// a queue of another account or region the service would consume).
	ErrInvalidConfig = errors.New("topology: invalid configuration")

	// ErrInvalidName reports a queue or topic name AWS would reject: SQS
	// queue names are 1–80 characters, SNS topic names 1–256, both limited to
	// letters, digits, hyphens and underscores plus an optional ".fifo"
	// suffix. Rename the queue or topic.
	ErrInvalidName = errors.New("topology: invalid name")

	// ErrFIFOMismatch reports a standard queue paired with a FIFO topic (or
	// the reverse). AWS rejects such subscriptions.
	ErrFIFOMismatch = errors.New("topology: FIFO and standard resources mixed")

	// ErrDuplicateRoute reports a message type mapped to two different
	// destinations, a destination used for both kinds, or a queue name
	// claimed by two roles.
	ErrDuplicateRoute = errors.New("topology: type routed to two destinations")

	// ErrNoHandler reports a listened destination on which the service
	// handles no type: every message arriving there would fail.
	ErrNoHandler = errors.New("topology: listened destination has no handler")

	// ErrDrift is returned by Apply in Validate mode when the infrastructure
	// differs from the plan. errors.As to *DriftError gives the report.
	ErrDrift = errors.New("topology: infrastructure drift")

	// ErrTopicDenied reports a queue policy with a Deny statement that
	// refuses a topic of the plan sending to the queue: SNS
	// could not deliver the topic's messages, whatever Allow statement the
	// policy has. Create leaves the statement alone: remove or narrow it.
	ErrTopicDenied = errors.New("topology: queue policy denies a topic")

	// ErrNotFound reports a queue, topic or table that does not exist (in
	// Assume mode, which never creates anything).
	ErrNotFound = errors.New("topology: resource not found")
)
