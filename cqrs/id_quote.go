package cqrs

import (
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// quotedID is a text a message's sender chose (its id, an entity id, a type
// no handler knows, an envelope value it got wrong), quoted for an error
// text: as %q quotes it when it is short, and as sourceflow.IDText bounds
// it when it is not. An error
// text ends in a dead-letter reason cut to maxFailureText bytes; an id
// quoted whole could fill it before the cause.
func quotedID(s string) string {
	return `"` + strings.ReplaceAll(sourceflow.IDText(s), `"`, `\"`) + `"`
}
