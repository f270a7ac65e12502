package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// heldPrefix precedes Topic in the name of the held table: no
// watermill-sql table (watermill_…) can have its name.
const heldPrefix = "sourceflow_outbox_held_"

// heldTable is the table of an outbox's held rows: rows the forwarder
// acknowledged without relaying them, because their destination failed or
// already had held rows. Each keeps its destination and the row as it was
// written; seq orders a destination's rows as the forwarder read them,
// held_at records when it was held, for an operator, and unknown_since
// since when its destination has had no publisher on the instances that
// tried it, without one finding a publisher since (NULL: not so), for the
// grace (destgrace.Grace) to count across instances and restarts. On
// MySQL destination_key is the destination's SHA-256, for finding the
// destinations through an index (heldKeyColumn).
type heldTable struct {
	dialect sourceflow.Dialect
	name    string // quoted
}

func newHeldTable(d sourceflow.Dialect, topic string) heldTable {
	return heldTable{dialect: d, name: quoteName(d, heldPrefix+topic)}
}

// quoteName quotes a table or index name (letters, digits, underscores).
func quoteName(d sourceflow.Dialect, name string) string {
	if d == sourceflow.MySQL {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}

// heldRow is one row of the held table.
type heldRow struct {
	unknownFor time.Duration // how long its destination has had no publisher (unknown_since); 0 when not so
	seq        int64
	uuid       string
	payload    []byte
	metadata   string // the outbox row's metadata, JSON, decoded for a failure only (message)
}

// createStatements are the statements creating the table when missing.
func (h heldTable) createStatements(topic string) []string {
	if h.dialect == sourceflow.MySQL {
		return []string{"CREATE TABLE IF NOT EXISTS " + h.name + ` (
			seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
			destination VARCHAR(1024) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
			uuid VARCHAR(255) NOT NULL,
			payload LONGBLOB NOT NULL,
			metadata LONGTEXT NOT NULL,
			held_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
			unknown_since TIMESTAMP(6) NULL DEFAULT NULL,
			` + heldKeyColumn + `,
			KEY destination_seq (destination(191), seq),
			` + heldKeyIndex + `)`}
	}
	return []string{
		"CREATE TABLE IF NOT EXISTS " + h.name + ` (
			seq BIGSERIAL PRIMARY KEY,
			destination TEXT NOT NULL,
			uuid TEXT NOT NULL,
			payload BYTEA NOT NULL,
			metadata TEXT NOT NULL,
			held_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
			unknown_since TIMESTAMPTZ NULL)`,
		"CREATE INDEX IF NOT EXISTS " + quoteName(h.dialect, heldPrefix+topic+"_dest") + " ON " + h.name + " (destination, seq)",
	}
}

// found reports whether rows has a row; a failure to read it is an
// error, not an answer (the row would overtake the held ones).
func found(rows wsql.Rows) (bool, error) {
	if rows.Next() {
		return true, nil
	}
	return false, rowsErr(rows)
}

// any reports whether the table has a row.
func (h heldTable) any(ctx context.Context, exec wsql.ContextExecutor) (bool, error) {
	// #nosec G202 -- h.name is a quoted valid topic.
	rows, err := exec.QueryContext(ctx, "SELECT 1 FROM "+h.name+" LIMIT 1")
	if err != nil {
		return false, err
	}
	defer func() { _ = rows.Close() }()
	return found(rows)
}

// holds reports whether destination has held rows.
func (h heldTable) holds(ctx context.Context, exec wsql.ContextExecutor, destination string) (bool, error) {
	// #nosec G202 -- h.name is a quoted valid topic.
	rows, err := exec.QueryContext(ctx, sqldb.Rebind(h.dialect, "SELECT 1 FROM "+h.name+" WHERE destination = ? LIMIT 1"), destination)
	if err != nil {
		return false, err
	}
	defer func() { _ = rows.Close() }()
	return found(rows)
}

// hold writes the outbox row msg, for destination, at the end of the
// table, with the unknown_since of the destination's first held row (the
// one a retry reads; markUnknown and clearUnknown set every row's): read
// through the index, so holding a row behind many costs no more than
// behind one.
func (h heldTable) hold(ctx context.Context, exec wsql.ContextExecutor, destination string, msg *message.Message) error {
	metadata, err := json.Marshal(msg.Metadata)
	if err != nil {
		return err
	}
	values := "?, ?, ?, ?"
	if h.dialect != sourceflow.MySQL {
		values = "CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BYTEA), CAST(? AS TEXT)"
	}
	// #nosec G202 -- as above.
	_, err = exec.ExecContext(ctx, sqldb.Rebind(h.dialect, "INSERT INTO "+h.name+" (destination, uuid, payload, metadata, unknown_since) "+
		"SELECT "+values+", MIN(unknown_since) FROM (SELECT unknown_since FROM "+h.name+
		" WHERE destination = ? ORDER BY seq LIMIT 1) head"),
		destination, msg.UUID, msg.Payload, string(metadata), destination)
	if err != nil {
		return fmt.Errorf("outbox: hold a row for %q: %w", destination, err)
	}
	return nil
}

// markUnknown records, unless recorded already, that destination has no
// publisher now.
func (h heldTable) markUnknown(ctx context.Context, tx wsql.ContextExecutor, destination string) error {
	// #nosec G202 -- as above.
	_, err := tx.ExecContext(ctx, sqldb.Rebind(h.dialect, "UPDATE "+h.name+
		" SET unknown_since = CURRENT_TIMESTAMP WHERE destination = ? AND unknown_since IS NULL"), destination)
	return err
}

// clearUnknown records that destination has a publisher.
func (h heldTable) clearUnknown(ctx context.Context, tx wsql.ContextExecutor, destination string) error {
	// #nosec G202 -- as above.
	_, err := tx.ExecContext(ctx, sqldb.Rebind(h.dialect, "UPDATE "+h.name+
		" SET unknown_since = NULL WHERE destination = ? AND unknown_since IS NOT NULL"), destination)
	return err
}
