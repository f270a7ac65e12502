package sqlbus

import (
	"context"
	"fmt"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// MoreDeadLettersBound is the most dead letters DeadLetters counts past
// those it returns: it counts no further, so that a table filled with
// millions of rows is listed as fast as a short one. The count it returns
// is at most this bound, and equal to it means at least that many more.
const MoreDeadLettersBound = sqldb.HeadMoreBound

// DeadLetterQuery bounds what DeadLetters reads: anyone who can get
// messages dead-lettered decides how many there are and how large.
type DeadLetterQuery struct {
	// Max is the most dead letters DeadLetters returns; at least 1.
	Max int
	// PayloadBytes, when positive, is the most bytes read of each payload
	// (its start, which may end mid-character), for a listing that shows
	// no payload or a cut one; 0 reads payloads whole.
	PayloadBytes int
}

// DeadLetters returns up to q.Max dead letters of destination, the oldest
// first, and how many more it holds (counted up to MoreDeadLettersBound:
// that value means at least that many), read with plain SQL from the table of
// DeadLetterTopic(destination) in cfg.DB (only cfg.DB and cfg.Dialect are
// used). Each is a cqrs.DeadLetter whose Message is the message as it was
// published (its payload cut to q.PayloadBytes when that is positive),
// with its metadata (the SourceFlow envelope, when it had one) and the
// reason (sourceflow.MetaFailure); Deliveries is not recorded (0). A
// destination that never had a dead letter has no table yet and returns
// none.
func DeadLetters(ctx context.Context, cfg Config, destination string, q DeadLetterQuery) ([]cqrs.DeadLetter, int64, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, 0, err
	}
	rows, more, err := sqldb.ReadWatermillHead(ctx, cfg.DB, cfg.Dialect, "watermill_"+DeadLetterTopic(destination),
		sqldb.WatermillHead{Limit: q.Max, PayloadBytes: q.PayloadBytes})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlbus: read dead letters of %q: %w", destination, err)
	}
	out := make([]cqrs.DeadLetter, len(rows))
	for i, r := range rows {
		out[i] = cqrs.DeadLetter{Destination: destination, Message: r.Message(), Reason: r.Reason()}
	}
	return out, more, nil
}
