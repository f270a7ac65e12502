package jsonerr

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Describe is what err, the error of decoding JSON a sender wrote, may say
// where the sender's values must not appear: a JSON value of the wrong type
// is named by its kind only ("number", "string", "array"), since
// encoding/json quotes a number whole and a card number or an amount would
// otherwise leave the payload; the Go field path and type, which the
// receiver's code names, are kept. Any other error (a syntax error, which
// names at most one character; an error of a type's own decoder, such as
// time.Time's, of a ",string" field or of an unknown field) is described
// by its own text with what it quotes left out ("…"): such an error quotes
// the value it refuses. A value it names without quotes stays in.
func Describe(err error) string {
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		return withoutQuoted(err.Error())
	}
	kind, _, _ := strings.Cut(typeErr.Value, " ")
	if typeErr.Field == "" {
		return fmt.Sprintf("json: cannot unmarshal %s into a value of type %v", kind, typeErr.Type)
	}
	return fmt.Sprintf("json: cannot unmarshal %s into field %s of type %v", kind, typeErr.Field, typeErr.Type)
}
