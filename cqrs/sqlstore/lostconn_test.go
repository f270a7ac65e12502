package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	idemsql "github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// TestLostConnectionMidRunIsRetriedByRedelivery kills every PostgreSQL
// connection of the service while a handler holds its transaction open.
// The handling fails, the transaction is gone, the transport redelivers the
// message, and in the end every command is applied exactly once.
func TestLostConnectionMidRunIsRetriedByRedelivery(t *testing.T) {
	d := dialects[1]
	app := uniquePrefix() + "lost" // names this test's connections, and only them
	store := d.open(t, sqlstore.Config{DSN: withApplicationName(d.dsn(t), app)})
	ctx := context.Background()
	gate, errs := make(chan struct{}), &errorLog{}
	var once sync.Once
	held := make(chan struct{})
	svc, saga, tr := lostConnService(t, d, store, errs, func() {
		once.Do(func() { close(held); <-gate })
	})
	const commands = 20
	agg := cqrs.NewAggregate(svc, "order")
	go func() {
		for range commands {
			sendRetrying(ctx, agg, errs)
		}
	}()
	<-held // a handler holds its transaction open
	killConnections(t, d, app)
	close(gate)

	require.Eventually(t, func() bool {
		o, found, err := saga.Load(ctx, "e-1")
		return (err == nil && found && o.Commands == commands) || len(tr.DeadLetters()) > 0
	}, 30*time.Second, 10*time.Millisecond, "every command is applied after the connections were lost")
	require.Empty(t, tr.DeadLetters(), "no message was given up")
	t.Logf("%d failures, retried by redelivery", len(errs.all()))
	o, _, err := saga.Load(ctx, "e-1")
	require.NoError(t, err)
	assert.Equal(t, txOrder{Amount: commands, Commands: commands}, o, "each command applied once")
	assert.NotEmpty(t, errs.all(), "the lost connection failed at least one handling")
}

// sendRetrying sends one command, again after a failure as a caller would:
// a failed Send stored nothing (its transaction rolled back), so a retry
// cannot duplicate it.
func sendRetrying(ctx context.Context, agg *cqrs.Aggregate, errs *errorLog) {
	for range 5 {
		_, err := agg.Send(ctx, "e-1", txCreate{Amount: 1})
		if err == nil {
			return
		}
		errs.add(fmt.Errorf("send: %w", err))
	}
}

type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// lostConnService is a service whose saga counts txCreate commands in
// transactional mode on store's database; hold runs inside the handler.
func lostConnService(t *testing.T, d dialect, store *sqlstore.Store, errs *errorLog, hold func()) (*cqrs.Service, *cqrs.Saga[txOrder], *cqrs.ChannelTransport) {
	t.Helper()
	ctx := context.Background()
	table := uniquePrefix() + "idem"
	idem, err := idemsql.New(ctx, store.DB(), idemsql.Config{Dialect: d.dialect, Table: table})
	require.NoError(t, err)
	t.Cleanup(func() {
		assert.NoError(t, idem.Close())
		_, _ = store.DB().Exec("DROP TABLE IF EXISTS " + table)
		_, _ = store.DB().Exec("DROP TABLE IF EXISTS " + table + "_version")
	})
	// TxRetry off: the lost connection's failure reaches the transport,
	// whose redelivery is what this test checks.
	mw, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{Transactional: true,
		TxRetry: sourceflow.RetryPolicy{MaxRetries: -1}})
	require.NoError(t, err)
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, RedeliveryDelay: 5 * time.Millisecond, MaxDeliveries: 20})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, tr.Close()) })
	logErrors := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err != nil {
				errs.add(err)
			}
			return out, err
		}
	}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders"},
		CommandStore: store.Commands(), EntityStore: store.Entities(), ViewStore: store.Views(),
		HandlerMiddleware: []message.HandlerMiddleware{logErrors, mw.Middleware}})
	require.NoError(t, err)
	saga := cqrs.NewSaga[txOrder](svc, "order")
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[txCreate](svc, "orders.CreateOrder", "orders"),
		cqrs.Handle(saga, func(_ context.Context, o *txOrder, c txCreate, _ cqrs.Envelope) ([]any, error) {
			hold()
			o.Amount += c.Amount
			o.Commands++
			return nil, nil
		}),
	))
	require.NoError(t, svc.Start(ctx))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })
	return svc, saga, tr
}

// withApplicationName names the connections a PostgreSQL DSN opens.
func withApplicationName(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return dsn + " application_name=" + name
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// killConnections terminates the connections named app.
func killConnections(t *testing.T, d dialect, app string) {
	t.Helper()
	admin := d.open(t, sqlstore.Config{})
	var killed int
	err := admin.DB().QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1`, app).Scan(&killed)
	require.NoError(t, err)
	require.Positive(t, killed, "connections were terminated")
}
