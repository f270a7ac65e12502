package tracing

import "errors"

// ErrInvalidConfig is wrapped by every error Config.Validate reports.
var ErrInvalidConfig = errors.New("tracing: invalid config")

// ErrNilPublisher is returned by Tracing.DecoratePublisher for a nil publisher.
var ErrNilPublisher = errors.New("tracing: nil publisher")
