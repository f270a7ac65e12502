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
// that does not know it have it too. The column is virtual (the index
// stores the key), so adding it to a table of an earlier build copies no
// row.
const (
	heldKeyColumn = "destination_key BINARY(32) AS (UNHEX(SHA2(destination, 256))) VIRTUAL"
	heldKeyIndex  = "KEY destination_key_seq (destination_key, seq)"
)

// heldKeyOnline is the clause of the statements adding destination_key and
// its index to a held table of an earlier build: in place, holding no lock
// that blocks holds meanwhile. MySQL and MariaDB refuse a statement they
// cannot run so rather than copy the table; they cannot so run the two
// in one statement.
const heldKeyOnline = ", ALGORITHM=INPLACE, LOCK=NONE"

// addHeldKey adds destination_key and its index to topic's held table on
// MySQL when it has none: a table created by an earlier build. It does so
// online (heldKeyOnline), the column first, then its index, each once:
// an instance binding after a failure between the two adds the index. An
// instance that fails to add them because another one binding at once
// added them meanwhile is done.
func addHeldKey(ctx context.Context, db *sql.DB, topic string) error {
	table := heldPrefix + topic
	// #nosec G202 -- the name is quoted and Topic valid.
	alter := "ALTER TABLE " + quoteName(sourceflow.MySQL, table) + " ADD "
	for _, step := range []struct{ catalog, name, add string }{
		{"columns", "column_name = 'destination_key'", "COLUMN " + heldKeyColumn},
		{"statistics", "index_name = 'destination_key_seq'", heldKeyIndex},
	} {
		has := func() (bool, error) {
			var n int
			err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema."+step.catalog+
				" WHERE table_schema = DATABASE() AND table_name = ? AND "+step.name, table).Scan(&n)
			return n > 0, err
		}
		if ok, err := has(); err != nil {
			return err
		} else if ok {
			continue
		}
		if _, err := db.ExecContext(ctx, alter+step.add+heldKeyOnline); err != nil {
			if ok, herr := has(); herr != nil || !ok {
				return fmt.Errorf("add destination_key to the held table: %w", err)
			}
		}
	}
	return nil
}
