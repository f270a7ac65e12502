package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// The reasons of two dead letters of one fault differ only by what names
// each message, in each form cqrs, sqlbus and outbox write it: grouped,
// they are one reason.
func TestReasonGroupTakesOutWhatDiffersFromOneDeadLetterToTheNext(t *testing.T) {
	long := func(i int) string { return strings.Repeat("k", 300) + fmt.Sprint(i) }
	tests := []struct {
		name   string
		reason func(l sqlLetter) string
		letter func(i int) sqlLetter
		want   string
	}{
		{"quoted id", func(l sqlLetter) string {
			return "handler \"h\", t " + errtext.Quote(l.MessageID, sourceflow.MaxCorrelationIDLen) + ": declined"
		},
			func(i int) sqlLetter { return sqlLetter{MessageID: fmt.Sprintf("id-%d", i)} }, `handler "h", t <message id>: declined`},
		{"cut quoted id", func(l sqlLetter) string {
			return "t " + errtext.Quote(l.MessageID, sourceflow.MaxCorrelationIDLen) + ": declined"
		},
			func(i int) sqlLetter { return sqlLetter{MessageID: long(i)} }, `t <message id>: declined`},
		{"shortened row uuid", func(l sqlLetter) string { return "message " + sqldb.Shorten(l.UUID) + ": too large" },
			func(i int) sqlLetter { return sqlLetter{UUID: long(i)} }, `message <message id>: too large`},
		{"bare id", func(l sqlLetter) string {
			return "destination \"d\": message " + sourceflow.IDText(l.MessageID) + ": bad"
		},
			func(i int) sqlLetter { return sqlLetter{MessageID: fmt.Sprintf("message-%d", i)} }, `destination "d": message <message id>: bad`},
		{"quoted entity", func(l sqlLetter) string { return "entity " + errtext.Quote(l.Entity, 64) + " is closed" },
			func(i int) sqlLetter { return sqlLetter{Entity: fmt.Sprint(i)} }, `entity <entity> is closed`},
		{"another uuid", func(sqlLetter) string { return "" },
			func(i int) sqlLetter {
				return sqlLetter{Reason: fmt.Sprintf("order 0000000%d-0000-4000-8000-000000000000 not found", i)}
			}, `order <id> not found`},
		{"cut size", func(sqlLetter) string { return "" },
			func(i int) sqlLetter {
				return sqlLetter{Reason: fmt.Sprintf("declined (cut from %d bytes: the dead letter must fit in max_allowed_packet)", 9000+i)}
			},
			`declined (cut from … bytes: the dead letter must fit in max_allowed_packet)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 2 {
				l := tt.letter(i)
				if l.Reason == "" {
					l.Reason = tt.reason(l) + "\nat handler.go:12"
				}
				assert.Equal(t, tt.want, reasonGroup(l))
			}
		})
	}
}

// A short entity stands bare for nothing: "1" is not taken out of "v1".
func TestReasonGroupKeepsAShortValueOutsideQuotes(t *testing.T) {
	assert.Equal(t, "schema v1 refused", reasonGroup(sqlLetter{Entity: "1", Reason: "schema v1 refused"}))
}
