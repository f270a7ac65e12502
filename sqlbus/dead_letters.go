package sqlbus

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// DeadLetter is one message kept in a destination's dead-letter table.
type DeadLetter struct {
	// Offset is the row's position in the table (its "offset" column).
	Offset int64
	// UUID is the Watermill message UUID.
	UUID string
	// MessageID is the SourceFlow message id (sourceflow.MetaMessageID);
	// empty for a message that carried no SourceFlow envelope.
	MessageID string
	// Type is the logical type name (sourceflow.MetaType); empty when the
	// message had none.
	Type string
	// Reason says why the message was dead-lettered (sourceflow.MetaFailure).
	Reason string
	// Payload is the message body as it was published.
	Payload []byte
	// Metadata is the message's whole metadata.
	Metadata map[string]string
}

// DeadLetters returns the dead letters of destination, oldest first, read
// with plain SQL from the table of DeadLetterTopic(destination) in cfg.DB
// (only cfg.DB and cfg.Dialect are used). A destination that never had a
// dead letter has no table yet and returns none.
func DeadLetters(ctx context.Context, cfg Config, destination string) ([]DeadLetter, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	table := "watermill_" + DeadLetterTopic(destination)
	exists, err := tableExists(ctx, cfg, table)
	if err != nil || !exists {
		return nil, err
	}
	rows, err := cfg.DB.QueryContext(ctx, deadLettersQuery(cfg.Dialect, table))
	if err != nil {
		return nil, fmt.Errorf("sqlbus: read dead letters of %q: %w", destination, err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		d, err := scanDeadLetter(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlbus: read dead letters of %q: %w", destination, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlbus: read dead letters of %q: %w", destination, err)
	}
	return out, nil
}

// deadLettersQuery selects a messages table of watermill-sql's default
// schema in delivery order. The table name comes from Topic, whose bytes are
// letters, digits and ".-_$", so quoting it is enough.
func deadLettersQuery(d Dialect, table string) string {
	if d == MySQL {
		return "SELECT `offset`, `uuid`, `payload`, `metadata` FROM `" + table + "` ORDER BY `offset`"
	}
	return `SELECT "offset", "uuid", "payload", "metadata" FROM "` + table + `" ORDER BY "transaction_id", "offset"`
}

// tableExists reports whether table exists in the current schema
// (PostgreSQL: on the search path).
func tableExists(ctx context.Context, cfg Config, table string) (bool, error) {
	var n int
	var err error
	if cfg.Dialect == MySQL {
		err = cfg.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables "+
			"WHERE table_schema = DATABASE() AND table_name = ?", table).Scan(&n)
	} else {
		err = cfg.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT to_regclass($1) AS t) r WHERE r.t IS NOT NULL",
			`"`+table+`"`).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("sqlbus: look up table %s: %w", table, err)
	}
	return n > 0, nil
}

func scanDeadLetter(rows *sql.Rows) (DeadLetter, error) {
	var d DeadLetter
	var meta []byte
	if err := rows.Scan(&d.Offset, &d.UUID, &d.Payload, &meta); err != nil {
		return DeadLetter{}, err
	}
	if len(meta) > 0 {
		if err := json.Unmarshal(meta, &d.Metadata); err != nil {
			return DeadLetter{}, fmt.Errorf("metadata of %s: %w", d.UUID, err)
		}
	}
	d.MessageID = d.Metadata[sourceflow.MetaMessageID]
	d.Type = d.Metadata[sourceflow.MetaType]
	d.Reason = d.Metadata[sourceflow.MetaFailure]
	return d, nil
}
