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
func (e *wrapped) Error() string { return text(e.context, e.drop, e.err) }

// text is "<context>: <err's text>", drop left out where err's text starts
// with it, or the context alone when err is nil.
func text(context, drop string, err error) string {
	if err == nil {
		return context
	}
	return context + ": " + strings.TrimPrefix(err.Error(), drop)
}

// Unwrap returns the wrapped error.
func (e *wrapped) Unwrap() error { return e.err }
