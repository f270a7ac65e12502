package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// newSQLTransports builds one SQL transport per service on the PostgreSQL
// database of -dsn: every destination is a watermill-sql table, created on
// first use, and each service consumes through a consumer group of its
// name. Each service's depth source reports what its group has yet to
// handle of each destination it consumes, and their dead letters.
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
	var ws []wiring
	for _, s := range []struct {
		name   string
		listen []string
		brk    *middleware.CircuitBreaker
	}{{"orders", opts.dests.ordersListen(), brk.orders}, {"payments", opts.dests.paymentsListen(), brk.payments}} {
		cfg := sqlbus.Config{DB: db, Dialect: sourceflow.Postgres,
			Logger: logger.With(watermill.LogFields{"transport": "postgres", "service": s.name})}
		tr, err := sqlbus.NewTransport(cfg)
		if err != nil {
			return transports{}, errors.Join(err, db.Close())
		}
		depth := metrics.DepthFunc(func(ctx context.Context) ([]sourceflow.QueueDepth, error) {
			return sqlbus.Depths(ctx, cfg, s.name, s.listen...)
		})
		ws = append(ws, wiring{transport: tr, breaker: s.brk, depth: depth, deadLetters: []metrics.DeadLetterSource{tr}})
	}
	return transports{
		orders: ws[0], payments: ws[1],
		close: func() error { return errors.Join(ws[0].transport.Close(), ws[1].transport.Close(), db.Close()) },
		health: func(ctx context.Context) (bool, any) {
			circuits := brk.circuits()
			if err := db.PingContext(ctx); err != nil {
				return false, map[string]any{"transport": "postgres", "error": err.Error(), "circuits": circuits}
			}
			return true, map[string]any{"transport": "postgres", "circuits": circuits}
		},
	}, nil
}
