package cqrs

import (
	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// quotedID is a text a message's sender chose (its id, an entity id, a type
// no handler knows, an envelope value it got wrong), quoted for an error
// text as %q quotes it, as errtext.Quote bounds it to
// sourceflow.MaxCorrelationIDLen (256) bytes: "u…(10000 bytes)". The bound
// counts each escape, that of a quote too: an error text ends in a
// dead-letter reason cut to maxFailureText bytes, and an id quoted whole
// could fill it before the cause.
func quotedID(s string) string {
	return errtext.Quote(s, sourceflow.MaxCorrelationIDLen)
}
