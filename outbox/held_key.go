package outbox

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// heldKeyColumn and heldKeyIndex are, on MySQL, the held table's
// destination_key, each row's destination's SHA-256, and its index, which
// destinations reads: MySQL indexes only the first 191 characters of
// destination. The database computes the key, so rows held by a build
// that does not know it have it too.
const (
	heldKeyColumn = "destination_key BINARY(32) AS (UNHEX(SHA2(destination, 256))) STORED"
	heldKeyIndex  = "KEY destination_key_seq (destination_key, seq)"
)

// addHeldKey adds destination_key and its index to topic's held table on
// MySQL when it has none: a table created by an earlier build. An
// instance that fails to add them because another one binding at once
// added them meanwhile is done.
func addHeldKey(ctx context.Context, db *sql.DB, topic string) error {
	has := func() (bool, error) {
		var n int
		err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.columns "+
			"WHERE table_schema = DATABASE() AND table_name = ? AND column_name = 'destination_key'", heldPrefix+topic).Scan(&n)
		return n > 0, err
	}
	if ok, err := has(); err != nil || ok {
		return err
	}
	// #nosec G202 -- the name is quoted and Topic valid.
	_, err := db.ExecContext(ctx, "ALTER TABLE "+quoteName(sourceflow.MySQL, heldPrefix+topic)+" ADD COLUMN "+heldKeyColumn+", ADD "+heldKeyIndex)
	if err == nil {
		return nil
	}
	if ok, herr := has(); herr == nil && ok {
		return nil
	}
	return fmt.Errorf("add destination_key to the held table: %w", err)
}
