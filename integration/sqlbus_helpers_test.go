//go:build integration

package integration

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	_ "github.com/go-sql-driver/mysql" // registers the "mysql" driver
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// sqlbusDialects are the databases the SQL transport is tested on, with the
// variable naming each one's DSN. Both are required: the suite fails, never
// skips, when one is missing.
var sqlbusDialects = []struct {
	dialect sourceflow.Dialect
	env     string
}{{sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN"}, {sourceflow.MySQL, "SOURCEFLOW_MYSQL_DSN"}}

// eachSQLBusDialect runs fn as a parallel subtest per dialect.
func eachSQLBusDialect(t *testing.T, fn func(t *testing.T, d sourceflow.Dialect, db *sql.DB)) {
	for _, tc := range sqlbusDialects {
		t.Run(string(tc.dialect), func(t *testing.T) {
			t.Parallel()
			fn(t, tc.dialect, sqlbusDB(t, tc.dialect, tc.env))
		})
	}
}

// sqlbusDB opens the database of d named by env and closes it after the test.
func sqlbusDB(t *testing.T, d sourceflow.Dialect, env string) *sql.DB {
	t.Helper()
	dsn := os.Getenv(env)
	if dsn == "" {
		t.Fatalf("%s is not set; run `make test` (it starts the %s database)", env, d)
	}
	db, err := sql.Open(d.DriverName(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, db.PingContext(ctx), "reach %s", d)
	return db
}

// sqlbusConfig is the transport configuration of the tests: a short poll
// interval and a visible redelivery schedule.
func sqlbusConfig(d sourceflow.Dialect, db *sql.DB) sqlbus.Config {
	return sqlbus.Config{DB: db, Dialect: d, PollInterval: 20 * time.Millisecond, MaxDeliveries: 3, RedeliveryDelay: 20 * time.Millisecond}
}

// sqlbusService builds a service over its own SQL transport and closes both
// at the end of the test. The caller registers types and handlers, then
// calls startModel.
func sqlbusService(t *testing.T, bcfg sqlbus.Config, scfg cqrs.ServiceConfig) *cqrs.Service {
	t.Helper()
	tr, err := sqlbus.NewTransport(bcfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tr.Close(), "close transport of %s", scfg.Name) })
	scfg.Transport = tr
	if scfg.CloseTimeout == 0 {
		scfg.CloseTimeout = 10 * time.Second
	}
	svc, err := cqrs.NewService(scfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, svc.Close(), "close service %s", scfg.Name) })
	return svc
}

// quoteIdent quotes the table name name (holding no quote) for d.
func quoteIdent(d sourceflow.Dialect, name string) string {
	if d == sourceflow.MySQL {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}

// dropSQLBusTables drops, after the test, the tables of destinations: each
// one's messages and offsets tables and its dead letters.
func dropSQLBusTables(t *testing.T, d sourceflow.Dialect, db *sql.DB, destinations ...string) {
	t.Helper()
	t.Cleanup(func() {
		for _, dest := range destinations {
			forgetEventFilters(t, d, db, dest)
			for _, topic := range []string{sqlbus.Topic(dest), sqlbus.DeadLetterTopic(dest)} {
				for _, table := range []string{"watermill_" + topic, "watermill_offsets_" + topic} {
					_, err := db.Exec("DROP TABLE IF EXISTS " + quoteIdent(d, table))
					require.NoError(t, err)
				}
			}
		}
	})
}

// forgetEventFilters deletes the event type filters of every consumer
// group of dest.
func forgetEventFilters(t *testing.T, d sourceflow.Dialect, db *sql.DB, dest string) {
	t.Helper()
	err := sqlbus.WidenEventFilter(context.Background(), sqlbus.Config{DB: db, Dialect: d}, dest, "") // creates the table if missing
	require.NoError(t, err)
	q := "DELETE FROM " + sqlbus.FilterTable + " WHERE topic = ?"
	if d == sourceflow.Postgres {
		q = "DELETE FROM " + sqlbus.FilterTable + " WHERE topic = $1"
	}
	_, err = db.Exec(q, sqlbus.Topic(dest))
	require.NoError(t, err)
}

// sqlbusName returns a destination name unique to this run, lowercase so
// that it is its own watermill-sql topic.
func sqlbusName(prefix, suffix string) string { return uniqueName("sb-"+prefix, suffix) }

// payWorker returns a service named name listening to queue, where
// PayOrder is routed, whose saga refuses every command, permanently ("card
// declined"), but entity "ok"'s while refusing is set, and records in runs
// the commands it handles. It is not started.
func payWorker(t *testing.T, cfg sqlbus.Config, name, queue string, runs *ledger, refusing *atomic.Bool) *cqrs.Service {
	t.Helper()
	svc := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: name, Listen: []string{queue},
		HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)}})
	require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", queue))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Payment](svc, "payment"), func(_ context.Context, s *Payment, c PayOrder, env cqrs.Envelope) ([]any, error) {
		if refusing.Load() && env.EntityID != "ok" {
			return nil, sourceflow.Permanent(errors.New("card declined"))
		}
		runs.add(svc.Name(), hPay, env)
		s.Amount += c.Amount
		return nil, nil
	}))
	return svc
}

// paidFlow is the flow of the pruning tests: services that send PayOrder
// to payQ, a payments service whose saga raises OrderPaid on events for
// each, and subscribers of events that record in runs what they project.
type paidFlow struct {
	t            *testing.T
	cfg          sqlbus.Config
	payQ, events string
	runs         *ledger
}

// service returns a service named name, listening to listen, with both
// types routed. It is not started.
func (f paidFlow) service(name string, listen ...string) *cqrs.Service {
	svc := sqlbusService(f.t, f.cfg, cqrs.ServiceConfig{Name: name, Listen: listen,
		HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(f.t)}})
	require.NoError(f.t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", f.payQ))
	require.NoError(f.t, cqrs.RegisterEvent[OrderPaid](svc, "model.OrderPaid", f.events))
	return svc
}

// subscriber returns a service named name projecting the events. It is
// not started.
func (f paidFlow) subscriber(name string) *cqrs.Service {
	svc := f.service(name, f.events)
	require.NoError(f.t, cqrs.Project(cqrs.NewView[OrderSummary](svc, "summary"), func(_ context.Context, m *OrderSummary, _ OrderPaid, env cqrs.Envelope) error {
		f.runs.add(name, hSummary, env)
		m.Events++
		return nil
	}))
	return svc
}

// payments returns the payments service, named name. It is not started.
func (f paidFlow) payments(name string) *cqrs.Service {
	svc := f.service(name, f.payQ)
	require.NoError(f.t, cqrs.Handle(cqrs.NewSaga[Payment](svc, "payment"), func(_ context.Context, p *Payment, c PayOrder, _ cqrs.Envelope) ([]any, error) {
		p.Paid = true
		return []any{OrderPaid(c)}, nil
	}))
	return svc
}
