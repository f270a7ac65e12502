package cqrs

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by stores for a missing entity or view model.
var ErrNotFound = errors.New("cqrs: not found")

// StoredCommand is one command as the CommandStore keeps it.
type StoredCommand struct {
	// Envelope is the command's envelope as it was sent.
	Envelope Envelope
	// Destination is where the command was sent.
	Destination string
	// Payload is the encoded command.
	Payload []byte
}

// CommandStore keeps every command a service sends, per entity, so that
// the entity's state can be replayed. Implementations are safe for
// concurrent use.
type CommandStore interface {
	// NextSequence atomically reserves the next sequence number of an
	// entity (1 for its first command). Concurrent calls never return the
	// same number, and no call reads the entity's whole stream.
	NextSequence(ctx context.Context, entityID string) (int64, error)
	// Append stores a command.
	Append(ctx context.Context, cmd StoredCommand) error
	// Load returns an entity's commands in sequence order.
	Load(ctx context.Context, entityID string) ([]StoredCommand, error)
}

// EntityStore keeps the encoded state of saga entities. Implementations are
// safe for concurrent use.
type EntityStore interface {
	// Load returns the state stored under (kind, id), or ErrNotFound.
	Load(ctx context.Context, kind, id string) ([]byte, error)
	// Save stores state under (kind, id).
	Save(ctx context.Context, kind, id string, state []byte) error
}

// ViewStore keeps the encoded view models that views project. Implementations
// are safe for concurrent use.
type ViewStore interface {
	// Load returns the view model stored under (view, id), or ErrNotFound.
	Load(ctx context.Context, view, id string) ([]byte, error)
	// Save stores a view model under (view, id).
	Save(ctx context.Context, view, id string, model []byte) error
}

// Clock returns the current time; tests replace it.
type Clock func() time.Time
