package errtext

import "strings"

// wrapped is Wrap's error.
type wrapped struct {
	context, drop string
	err           error
}

// Wrap returns err after context: "<context>: <err's text>", with drop
// left out where err's text starts with it. Only that leading prefix
// goes: the further lines of a joined error keep their text whole. A nil
// err gives the context alone.
func Wrap(context, drop string, err error) error {
	return &wrapped{context: context, drop: drop, err: err}
}

// Error implements error.
func (e *wrapped) Error() string {
	if e.err == nil {
		return e.context
	}
	return e.context + ": " + strings.TrimPrefix(e.err.Error(), e.drop)
}

// Unwrap returns the wrapped error.
func (e *wrapped) Unwrap() error { return e.err }
