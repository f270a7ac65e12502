package cqrs

import "github.com/sourceflow-go/sourceflow"

// notFoundError is ErrNotFound for one item of the in-memory stores,
// formatted only when read: the first message of an entity finds no state,
// so it is built on a hot path. The entity id is quoted bounded (quotedID)
// and a command's id shown as sourceflow.IDText shows it: a message's
// sender may have chosen either.
type notFoundError struct {
	what, id  string // "saga", the id; or "command", the entity id
	messageID string // of a command, else ""
}

func (e *notFoundError) Error() string {
	what := e.what
	if e.messageID != "" {
		what += " " + sourceflow.IDText(e.messageID) + " of"
	}
	return ErrNotFound.Error() + ": " + what + " " + quotedID(e.id)
}

func (e *notFoundError) Unwrap() error { return ErrNotFound }
