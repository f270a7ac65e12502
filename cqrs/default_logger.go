package cqrs

import (
	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/internal/slogdefault"
)

// defaultLogger is the Logger of a config that leaves it unset: one over
// slog.Default() (see slogdefault.Logger), so that a failure (a dead
// letter, a handler's error) reaches the program's log without any set-up,
// while Watermill's Info chatter goes to slog's Debug.
func defaultLogger() watermill.LoggerAdapter {
	return slogdefault.Logger()
}
