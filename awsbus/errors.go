package awsbus

import "errors"

var (
	// ErrInvalidConfig wraps every configuration problem reported by
	// Config.Validate, and the routing problems Bind finds in the Binding
	// (joined with topology.ErrInvalidPlan). Fix the fields named in the
	// message.
	ErrInvalidConfig = errors.New("awsbus: invalid configuration")

	// ErrNotBound is returned by Transport methods called before Bind
	// succeeded.
	ErrNotBound = errors.New("awsbus: transport is not bound")

	// ErrUnknownDestination is returned for a destination that the bound
	// routing does not contain.
	ErrUnknownDestination = errors.New("awsbus: unknown destination")

	// ErrNotListened is returned by Subscriber for a destination the service
	// does not listen to.
	ErrNotListened = errors.New("awsbus: destination is not listened to")

	// ErrEncryptionDisabled is returned by NewEncryption when
	// Config.EnableEncryption is false: set it (with KMSKeyID) or run the
	// service without the encryption phases.
	ErrEncryptionDisabled = errors.New("awsbus: encryption is not enabled")

	// ErrClosed is returned by Transport methods called after Close.
	ErrClosed = errors.New("awsbus: transport is closed")
)
