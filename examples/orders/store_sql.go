package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// openSQLStores opens the SQL stores and the idempotency store on one pool
// (creating or migrating their tables), so that a handled message's
// idempotency record and its writes commit in one transaction.
func openSQLStores(ctx context.Context, opts options) (*stores, error) {
	dialect := sourceflow.Postgres
	if opts.store == "sqlite" {
		dialect = sourceflow.SQLite
	}
	// Its logger says when the connection crosses a network in clear text.
	b, err := sqlbackend.Open(ctx, sqlbackend.Config{
		Dialect: dialect, DSN: opts.dsn, TablePrefix: opts.tablePrefix,
		MaxOpenConns: opts.maxConns, ConnectTimeout: 10 * time.Second, Logger: newLogger(opts),
	})
	if err != nil {
		return nil, fmt.Errorf("open the %s store: %w", opts.store, err)
	}
	return &stores{backend: b, kind: "sql", health: storeHealth(opts.store, b.Check)}, nil
}
