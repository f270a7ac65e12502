package metrics

import "errors"

// ErrInvalidConfig is wrapped by every error Config.Validate reports.
var ErrInvalidConfig = errors.New("metrics: invalid config")

// ErrNilPublisher is returned when a nil publisher is decorated.
var ErrNilPublisher = errors.New("metrics: nil publisher")

// ErrUnknownKind is returned by a publisher decorator built for a Kind that
// is neither sourceflow.KindCommand nor sourceflow.KindEvent.
var ErrUnknownKind = errors.New("metrics: unknown message kind")
