package cqrs

import "strconv"

// notFoundError is ErrNotFound for one item of the in-memory stores,
// formatted only when read: the first message of an entity finds no state,
// so it is built on a hot path.
type notFoundError struct {
	what, id string // "saga", the id; or "command m-1 of", the entity id
}

func (e *notFoundError) Error() string {
	return ErrNotFound.Error() + ": " + e.what + " " + strconv.Quote(e.id)
}

func (e *notFoundError) Unwrap() error { return ErrNotFound }
