package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// newSQLTransports builds one SQL transport per service on the PostgreSQL
// database of -dsn: every destination is a watermill-sql table, created on
// first use, and each service consumes through a consumer group of its
// name.
func newSQLTransports(ctx context.Context, opts options, logger watermill.LoggerAdapter, brk breakers) (transports, error) {
	db, err := sql.Open("pgx", opts.dsn)
	if err != nil {
		return transports{}, fmt.Errorf("open the transport database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		return transports{}, errors.Join(fmt.Errorf("reach the transport database: %w", err), db.Close())
	}
	var trs []*cqrs.PubSubTransport
	for _, service := range []string{"orders", "payments"} {
		tr, err := sqlbus.NewTransport(sqlbus.Config{DB: db, Dialect: sourceflow.Postgres,
			Logger: logger.With(watermill.LogFields{"transport": "postgres", "service": service})})
		if err != nil {
			return transports{}, errors.Join(err, db.Close())
		}
		trs = append(trs, tr)
	}
	return transports{
		orders: wiring{transport: trs[0], breaker: brk.orders}, payments: wiring{transport: trs[1], breaker: brk.payments},
		close: func() error { return errors.Join(trs[0].Close(), trs[1].Close(), db.Close()) },
		health: func(ctx context.Context) (bool, any) {
			circuits := brk.circuits()
			if err := db.PingContext(ctx); err != nil {
				return false, map[string]any{"transport": "postgres", "error": err.Error(), "circuits": circuits}
			}
			return true, map[string]any{"transport": "postgres", "circuits": circuits}
		},
	}, nil
}
