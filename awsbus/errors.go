package awsbus

import "errors"

var (
	// ErrInvalidConfig wraps every configuration problem reported by
	// Config.Validate and by Bind. Fix the fields named in the message.
	ErrInvalidConfig = errors.New("awsbus: invalid configuration")

	// ErrInvalidName reports a queue or topic name AWS would reject: SQS
	// queue names are 1–80 characters, SNS topic names 1–256, both limited to
	// letters, digits, hyphens and underscores plus an optional ".fifo"
	// suffix. Rename the queue or topic.
	ErrInvalidName = errors.New("awsbus: invalid name")

	// ErrFIFOMismatch reports a standard queue paired with a FIFO topic (or
	// the reverse), or a dead-letter queue whose FIFO-ness differs from its
	// source. AWS rejects such subscriptions and redrive policies.
	ErrFIFOMismatch = errors.New("awsbus: FIFO and standard resources mixed")

	// ErrDuplicateRoute reports a message type mapped to two different
	// destinations. A type has exactly one destination.
	ErrDuplicateRoute = errors.New("awsbus: type routed to two destinations")

	// ErrNoHandler reports a listened destination on which the service
	// handles no type: every message arriving there would fail.
	ErrNoHandler = errors.New("awsbus: listened destination has no handler")

	// ErrNotBound is returned by Transport methods called before Bind
	// succeeded.
	ErrNotBound = errors.New("awsbus: transport is not bound")

	// ErrUnknownDestination is returned for a destination that the bound
	// routing does not contain.
	ErrUnknownDestination = errors.New("awsbus: unknown destination")

	// ErrNotListened is returned by Subscriber for a destination the service
	// does not listen to.
	ErrNotListened = errors.New("awsbus: destination is not listened to")

	// ErrDrift is returned by Bind in Validate mode when the infrastructure
	// differs from the topology. errors.As to *DriftError gives the report.
	ErrDrift = errors.New("awsbus: infrastructure drift")

	// ErrNotFound reports a queue, topic or subscription that does not exist
	// (in Validate and Assume modes, which never create anything).
	ErrNotFound = errors.New("awsbus: resource not found")

	// ErrEncryptionDisabled is returned by NewEncryption when
	// Config.EnableEncryption is false: set it (with KMSKeyID) or run the
	// service without the encryption phases.
	ErrEncryptionDisabled = errors.New("awsbus: encryption is not enabled")

	// ErrClosed is returned by Transport methods called after Close.
	ErrClosed = errors.New("awsbus: transport is closed")
)
