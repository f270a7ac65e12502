package sqlbus

import (
	"cmp"
	"context"
	"fmt"
	"maps"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// DeadLetters returns the dead letters of destination, oldest first, read
// with plain SQL from the table of DeadLetterTopic(destination) in cfg.DB
// (only cfg.DB and cfg.Dialect are used). Each is a cqrs.DeadLetter whose
// Message is the message as it was published, with its metadata (the
// SourceFlow envelope, when it had one) and the reason
// (sourceflow.MetaFailure); Deliveries is not recorded (0). A destination
// that never had a dead letter has no table yet and returns none.
func DeadLetters(ctx context.Context, cfg Config, destination string) ([]cqrs.DeadLetter, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rows, err := sqldb.ReadWatermillTable(ctx, cfg.DB, cfg.Dialect, "watermill_"+DeadLetterTopic(destination))
	if err != nil {
		return nil, fmt.Errorf("sqlbus: read dead letters of %q: %w", destination, err)
	}
	out := make([]cqrs.DeadLetter, len(rows))
	for i, r := range rows {
		msg := message.NewMessage(r.UUID, r.Payload)
		maps.Copy(msg.Metadata, r.Metadata)
		out[i] = cqrs.DeadLetter{Destination: destination, Message: msg, Reason: cmp.Or(r.Metadata[sourceflow.MetaFailure], r.Unreadable)}
	}
	return out, nil
}
