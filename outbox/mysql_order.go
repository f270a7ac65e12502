package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// On MySQL the forwarder reads rows above the last acknowledged
// auto-increment offset with a plain (non-locking) read, so a row whose
// transaction commits after a later row was already forwarded would be
// skipped for good. Writers therefore take the topic's row in a lock table,
// in their transaction, before their first outbox row: transactions that
// write into one outbox commit one after another from that point, so rows
// become visible in offset order. PostgreSQL needs no lock: watermill-sql
// orders rows by transaction id and reads only those below every running
// transaction.

// lockTable is the table of the write locks of the outbox topics on one
// MySQL database, a row per topic.
const lockTable = "`sourceflow_outbox_locks`"

// initMySQLLock creates the lock table, when missing, and the topic's row.
// A plain read looks for the row first, and finding it does nothing more:
// the INSERT IGNORE of an existing row waits for the transaction writing
// into the outbox that holds it, so an instance's Bind would wait for
// another instance's writes (and fail after innodb_lock_wait_timeout
// behind a long one).
func initMySQLLock(ctx context.Context, db *sql.DB, topic string) error {
	var held string
	if err := db.QueryRowContext(ctx, "SELECT `topic` FROM "+lockTable+" WHERE `topic` = ?", topic).Scan(&held); err == nil {
		return nil // any other outcome (no row, no table yet) is the creation's to settle
	}
	stmts := []string{
		"CREATE TABLE IF NOT EXISTS " + lockTable + " (`topic` VARCHAR(64) NOT NULL PRIMARY KEY)",
		"INSERT IGNORE INTO " + lockTable + " (`topic`) VALUES (?)",
	}
	for i, q := range stmts {
		var args []any
		if i == 1 {
			args = []any{topic}
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("outbox: create the lock table of %q: %w", topic, err)
		}
	}
	return nil
}

// lockForWrite takes the topic's lock row in tx; it is released when tx
// ends. A missing row (deleted by hand) fails saying so. Its error names no
// package: the publish and Redrive add theirs.
func lockForWrite(ctx context.Context, tx *sql.Tx, topic string) error {
	var held string
	err := tx.QueryRowContext(ctx, "SELECT `topic` FROM "+lockTable+" WHERE `topic` = ? FOR UPDATE", topic).Scan(&held)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("take the write lock of %q: the outbox has no row in %s (Bind creates it when it is "+
			"missing: restart a service that binds this outbox): %w", topic, lockTable, err)
	case err != nil:
		return fmt.Errorf("take the write lock of %q: %w", topic, err)
	}
	return nil
}
