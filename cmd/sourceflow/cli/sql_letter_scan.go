package cli

import (
	"context"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// letterPage is how many dead letters sql purge and dead-letters --summary
// read at a time, and purge deletes in one transaction, as redrive moves
// them.
const letterPage = 100

// maxScannedLetters bounds the dead letters sql dead-letters --summary and
// purge's dry run read: past it, they say "at least".
const maxScannedLetters = sqldb.HeadMoreBound

// outboxDeadLetterSuffix ends the topic of an outbox's dead letters:
// watermill_<topic>_dead_letters is their table.
const outboxDeadLetterSuffix = "_dead_letters"

// deadLetterTable is the table of the dead letters of the destination or
// the outbox name.
func deadLetterTable(name string, isOutbox bool) string {
	if isOutbox {
		return "watermill_" + name + outboxDeadLetterSuffix
	}
	return "watermill_" + sqlbus.DeadLetterTopic(name)
}

// eachLetterPage calls fn with each page of the dead letters of the
// destination or the outbox name there when it begins, oldest first, with
// each decoded (its type and reason; an outbox's from the first
// listedPayloadBytes of its envelope): payloads are not read whole, and
// only a page at a time is held, so a table of any length is read in
// memory bounded by a page (each row's metadata, its reason included, is
// read whole; tallies keep keys of at most maxGroupKey bytes). fn may
// delete the rows.
func (c *sqlConn) eachLetterPage(ctx context.Context, name string, isOutbox bool, fn func([]sqldb.WatermillRow, []sqlLetter) error) error {
	return c.eachLetterPageOf(ctx, name, isOutbox, false, fn)
}

// eachLetterPageOf is eachLetterPage reading, with written, when each
// dead letter was written (sqldb.WatermillRow.Written).
func (c *sqlConn) eachLetterPageOf(ctx context.Context, name string, isOutbox, written bool, fn func([]sqldb.WatermillRow, []sqlLetter) error) error {
	h := sqldb.WatermillHead{Limit: letterPage, PayloadBytes: 1, Written: written}
	if isOutbox {
		h = sqldb.WatermillHead{Limit: letterPage, PayloadBytes: listedPayloadBytes, JSONPayload: true, Written: written}
	}
	return sqldb.EachWatermillPageOf(ctx, c.db, c.target.dialect, deadLetterTable(name, isOutbox), h, func(rows []sqldb.WatermillRow) error {
		letters := make([]sqlLetter, len(rows))
		for i, r := range rows {
			letters[i] = decodeSQLLetter(rowDeadLetter(name, r), isOutbox, true)
		}
		return fn(rows, letters)
	})
}

// rowDeadLetter is r, a row of the dead-letter table of the destination or
// the outbox name, as a dead letter, as sqlbus.DeadLetters and
// outbox.DeadLetters make it: the reason is its sourceflow.MetaFailure, or
// why its metadata cannot be read.
func rowDeadLetter(name string, r sqldb.WatermillRow) cqrs.DeadLetter {
	return cqrs.DeadLetter{Destination: name, Message: r.Message(), Reason: r.Reason()}
}

// letterType is the type of l as sql purge and dead-letters --summary
// count it: "?" for an outbox envelope read cut.
func letterType(l sqlLetter) string {
	if l.EnvelopeCut {
		return "?"
	}
	return l.Type
}

// isOfType reports whether l is of type typ, as purge --type selects: an
// outbox envelope read cut has no known type, so none selects it ("?",
// which the counts show for it, included).
func isOfType(l sqlLetter, typ string) bool {
	return !l.EnvelopeCut && l.Type == typ
}
