package cqrs

import "context"

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
// concurrent use; shared implementations are safe across processes.
type CommandStore interface {
	// NextSequence atomically reserves the next sequence number of an
	// entity (1 for its first command). Concurrent calls never return the
	// same number, and no call reads the entity's whole stream.
	NextSequence(ctx context.Context, entityID string) (int64, error)
	// Append stores a command. It returns ErrDuplicateCommand when the store
	// already holds the command's message id or its entity's sequence.
	Append(ctx context.Context, cmd StoredCommand) error
	// Find returns the entity's command with the message id, or ErrNotFound.
	Find(ctx context.Context, entityID, messageID string) (StoredCommand, error)
	// Load returns an entity's commands in sequence order.
	Load(ctx context.Context, entityID string) ([]StoredCommand, error)
}

// TransactionJoiner is implemented by stores that join a transaction carried
// in a context (SQL stores join the idempotency middleware's transaction on
// their database). While a handling runs in such a transaction, its writes
// are undone together when it fails, which the service takes into account.
type TransactionJoiner interface {
	// JoinsTransaction reports whether calls with ctx run in a transaction
	// carried by ctx.
	JoinsTransaction(ctx context.Context) bool
}

// Document is a stored saga state or view model and its version: 0 for a
// document never saved, then 1, 2, … for each save.
type Document struct {
	Data    []byte
	Version int64
}

// DocumentStore keeps versioned documents under (kind, id). Saves are
// conditional on the version the caller loaded (optimistic concurrency), so
// two instances never both apply a change to one version. Implementations
// are safe for concurrent use; shared implementations are safe across
// processes.
type DocumentStore interface {
	// Load returns the document stored under (kind, id), or ErrNotFound.
	Load(ctx context.Context, kind, id string) (Document, error)
	// Save stores data under (kind, id) as version+1 if the stored version is
	// still version (0: nothing stored yet); otherwise it returns ErrConflict
	// and stores nothing.
	Save(ctx context.Context, kind, id string, data []byte, version int64) error
}

// EntityStore keeps the state of saga entities, kind being the saga's name.
type EntityStore = DocumentStore

// ViewStore keeps view models, kind being the view's name.
type ViewStore = DocumentStore
