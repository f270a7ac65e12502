package cli

import (
	"context"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// purge deletes the dead letters of the destination or the outbox name
// there when it begins (only those of type f.typ with f.only), a page per
// transaction, and returns how many it deleted: a dead letter another
// purge or a redrive took meanwhile is not counted.
func (c *sqlConn) purge(ctx context.Context, name string, isOutbox bool, f sqlPurgeFlags) (int64, error) {
	var deleted int64
	table := deadLetterTable(name, isOutbox)
	err := c.eachLetterPage(ctx, name, isOutbox, func(rows []sqldb.WatermillRow, letters []sqlLetter) error {
		var doomed []sqldb.WatermillRow
		for i, l := range letters {
			if !f.only || isOfType(l, f.typ) {
				doomed = append(doomed, rows[i])
			}
		}
		if len(doomed) == 0 {
			return nil
		}
		n, err := c.deleteRows(ctx, table, doomed)
		deleted += n
		return err
	})
	return deleted, err
}

// deleteRows deletes rows of table in one transaction and returns how
// many were still there.
func (c *sqlConn) deleteRows(ctx context.Context, table string, rows []sqldb.WatermillRow) (int64, error) {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }() // a no-op once committed
	var n int64
	for _, r := range rows {
		taken, err := sqldb.TakeWatermillRow(ctx, tx, c.target.dialect, table, r)
		if err != nil {
			return 0, err
		}
		if taken {
			n++
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}
