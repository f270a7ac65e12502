package cqrs

import "github.com/sourceflow-go/sourceflow/internal/jsonerr"

// decodeError is a codec's decoding error as an error of this package
// wraps it: its text is jsonerr.Describe's (a JSON value of the wrong type
// named by its kind only, so a card number or an amount does not leave the
// payload through a dead-letter reason, a log or a span), and errors.Is
// and errors.As still reach the codec's error. A payload, a stored saga
// state and a stored view model all decode through it.
type decodeError struct{ err error }

func (e decodeError) Error() string { return jsonerr.Describe(e.err) }

func (e decodeError) Unwrap() error { return e.err }
