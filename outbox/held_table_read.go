package outbox

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// heads reads, in tx, the first n held rows of destination, in order;
// none when it has none. The caller holds the destination's lock
// (lockDestination).
func (h heldTable) heads(ctx context.Context, tx wsql.ContextExecutor, destination string, n int) ([]heldRow, error) {
	// #nosec G202 -- as above.
	rows, err := tx.QueryContext(ctx, sqldb.Rebind(h.dialect, "SELECT seq, uuid, payload, metadata, "+h.unknownSeconds()+" FROM "+h.name+
		" WHERE destination = ? ORDER BY seq LIMIT "+strconv.Itoa(n)), destination)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []heldRow
	for rows.Next() {
		var row heldRow
		var unknown sql.NullInt64
		if err := rows.Scan(&row.seq, &row.uuid, &row.payload, &row.metadata, &unknown); err != nil {
			return nil, err
		}
		if unknown.Valid {
			row.unknownFor = max(time.Duration(unknown.Int64)*time.Second, time.Nanosecond) // recorded: more than 0
		}
		out = append(out, row)
	}
	return out, rowsErr(rows)
}

// unknownSeconds is the expression of how long, in whole seconds, a row's
// unknown_since is, by the database's clock; NULL when it has none.
func (h heldTable) unknownSeconds() string {
	if h.dialect == sourceflow.MySQL {
		return "TIMESTAMPDIFF(SECOND, unknown_since, CURRENT_TIMESTAMP(6))"
	}
	return "CAST(EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - unknown_since)) AS BIGINT)"
}

// release deletes the held rows seqs, in one statement.
func (h heldTable) release(ctx context.Context, tx wsql.ContextExecutor, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	args := make([]any, len(seqs))
	for i, s := range seqs {
		args[i] = s
	}
	marks := strings.Repeat("?, ", len(seqs)-1) + "?"
	// #nosec G202 -- as above; the values are bound.
	_, err := tx.ExecContext(ctx, sqldb.Rebind(h.dialect, "DELETE FROM "+h.name+" WHERE seq IN ("+marks+")"), args...)
	return err
}
