package cli

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// Marks that stand, in a reason sql dead-letters --summary groups by, for
// a value that differs from one dead letter to the next.
const (
	markMessageID = "<message id>"
	markEntity    = "<entity>"
	markID        = "<id>"
)

// uuidText matches a UUID in a reason: the id of another message or of a
// record, which also differs from one dead letter to the next.
var uuidText = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)

// cutSize matches the size sqlbus notes on a reason it cut to fit in
// MySQL's max_allowed_packet.
var cutSize = regexp.MustCompile(`\(cut from \d+ bytes:`)

// minBareID is the shortest id replaced where it appears unquoted: a
// shorter one (an entity "1") would match inside other words.
const minBareID = 8

// reasonGroup is the reason of l as sql dead-letters --summary groups it:
// its first line (a stack or a wrapped error's details follow it), cut to
// maxGroupKey bytes (groupKey), with the values that differ from one dead
// letter to the next replaced by a mark: l's message id and entity as
// cqrs, sqlbus and outbox write them in a reason (quoted, escaped or
// shortened), any UUID, and the size of a reason cut to fit in the
// database. The dead letters one fault made then share one row. Only the
// reason's first maxGroupKey+2 bytes are looked at (enough to cut the
// line and drop a "\r" ending it), and the line is cut before the
// replacements, so a long reason costs no more than a short one; it is cut
// again after them (marks can be longer than what they replace).
func reasonGroup(l sqlLetter) string {
	line := groupKey(firstLine(l.Reason[:min(len(l.Reason), maxGroupKey+2)]))
	line = withoutValue(line, l.MessageID, markMessageID)
	line = withoutValue(line, l.UUID, markMessageID)
	line = withoutValue(line, l.Entity, markEntity)
	line = uuidText.ReplaceAllString(line, markID)
	return groupKey(cutSize.ReplaceAllString(line, "(cut from … bytes:"))
}

// withoutValue is line with value, in each form a reason holds it, replaced
// by mark: quoted (cqrs's quotedID, strconv.Quote, sqldb.Shorten, which may
// cut it) first, then bare (sourceflow.IDText) when long enough.
func withoutValue(line, value, mark string) string {
	if value == "" {
		return line
	}
	for _, quoted := range []string{errtext.Quote(value, sourceflow.MaxCorrelationIDLen), sqldb.Shorten(value), strconv.Quote(value)} {
		line = strings.ReplaceAll(line, quoted, mark)
	}
	if len(value) < minBareID {
		return line
	}
	return strings.ReplaceAll(line, sourceflow.IDText(value), mark)
}
