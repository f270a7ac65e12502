package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
)

// ExecSchema runs the statements of a watermill-sql schema adapter
// (creating a topic's tables, a group's offsets row) on ctx: in one
// transaction when schema asks for one (PostgreSQL's takes an advisory lock
// in it), else one after another. Running them here rather than through
// watermill-sql lets the caller's context bound them.
func ExecSchema(ctx context.Context, db *sql.DB, schema any, queries []wsql.Query) error {
	if rt, ok := schema.(wsql.RequiresTransaction); ok && rt.RequiresTransaction() {
		return ExecInTx(ctx, db, queries)
	}
	return execAll(ctx, db, queries)
}

// ExecInTx runs queries in one transaction on db.
func ExecInTx(ctx context.Context, db *sql.DB, queries []wsql.Query) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := execAll(ctx, tx, queries); err != nil {
		_ = tx.Rollback() // the statement's error says why; ctx may have rolled it back already
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// execAll runs queries one after another on ex.
func execAll(ctx context.Context, ex Executor, queries []wsql.Query) error {
	for _, q := range queries {
		if _, err := ex.ExecContext(ctx, q.Query, q.Args...); err != nil {
			return err
		}
	}
	return nil
}
