package cqrs

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// decodeError is a codec's decoding error as an error of this package
// wraps it: its text is decodeProblem's, and errors.Is and errors.As still
// reach the codec's error. A payload, a stored saga state and a stored view
// model all decode through it.
type decodeError struct{ err error }

func (e decodeError) Error() string { return decodeProblem(e.err) }

func (e decodeError) Unwrap() error { return e.err }

// decodeProblem is what a payload's decoding error may say in a dead-letter
// reason, a log or a span: a JSON value of the wrong type is named by its
// kind only ("number", "string"), since encoding/json quotes a number
// whole, and a card number or an amount would otherwise leave the payload.
func decodeProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		return err.Error()
	}
	kind, _, _ := strings.Cut(typeErr.Value, " ")
	if typeErr.Field == "" {
		return fmt.Sprintf("json: cannot unmarshal %s into a value of type %v", kind, typeErr.Type)
	}
	return fmt.Sprintf("json: cannot unmarshal %s into field %s of type %v", kind, typeErr.Field, typeErr.Type)
}
