package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	idemsql "github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// openSQLStores opens the SQL store (creating or migrating its tables) and
// the idempotency store on the same database, so that a handled message's
// idempotency record and its writes commit in one transaction.
func openSQLStores(ctx context.Context, opts options) (*stores, error) {
	dialect := sourceflow.Postgres
	if opts.store == "sqlite" {
		dialect = sourceflow.SQLite
	}
	st, err := sqlstore.Open(ctx, sqlstore.Config{
		Dialect: dialect, DSN: opts.dsn, TablePrefix: opts.tablePrefix,
		MaxOpenConns: opts.maxConns, ConnectTimeout: 10 * time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("open the %s store: %w", opts.store, err)
	}
	// Its logger says when the connection crosses a network in clear text;
	// the SQL store has none.
	idem, err := idemsql.New(ctx, st.DB(), idemsql.Config{Dialect: dialect, Table: opts.tablePrefix + "idempotency", Logger: newLogger(opts)})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open the %s idempotency store: %w", opts.store, err), st.Close())
	}
	return &stores{
		commands: st.Commands(), entities: st.Entities(), views: st.Views(), idem: idem, kind: "sql",
		close: func() error { return errors.Join(idem.Close(), st.Close()) },
	}, nil
}
