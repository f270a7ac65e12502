package backend

import "errors"

// ErrMissingTable is the finding of a Check that a table a store uses is
// not in the database. It is one value for every backend, which each
// package re-exports, so that errors.Is(err, sqlbackend.ErrMissingTable)
// holds for dynamobackend's error too.
var ErrMissingTable = errors.New("table missing")

// Mark returns err, which errors.Is then also finds mark in, when err is
// or wraps target; otherwise err itself. Its text is err's.
func Mark(err, target, mark error) error {
	if err == nil || !errors.Is(err, target) {
		return err
	}
	return marked{err: err, mark: mark}
}

// marked is an error that also wraps mark.
type marked struct{ err, mark error }

func (m marked) Error() string   { return m.err.Error() }
func (m marked) Unwrap() []error { return []error{m.err, m.mark} }
