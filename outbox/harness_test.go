package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// PlaceOrder is the command the tests send through the outbox.
type PlaceOrder struct {
	OrderID string `json:"order_id"`
}

type order struct {
	Placed bool `json:"placed"`
}

const ordersDest = "outbox-orders"

// wire registers PlaceOrder on a new service over box whose commands are
// stored in store. With handled set, the service listens to ordersDest and
// counts, per message id, the commands its saga handles.
func wire(name string, box *outbox.Transport, store *sqlstore.Store, mws []message.HandlerMiddleware, handled *counter) (*cqrs.Service, error) {
	cfg := cqrs.ServiceConfig{Name: name, Transport: box, CommandStore: store.Commands(), HandlerMiddleware: mws}
	if handled != nil {
		cfg.Listen = []string{ordersDest}
	}
	svc, err := cqrs.NewService(cfg)
	if err != nil {
		return nil, err
	}
	if err := cqrs.RegisterCommand[PlaceOrder](svc, "outboxtest.PlaceOrder", ordersDest); err != nil {
		return nil, err
	}
	if handled == nil {
		return svc, nil
	}
	orders := cqrs.NewSaga[order](svc, "order")
	return svc, cqrs.Handle(orders, func(_ context.Context, o *order, _ PlaceOrder, env cqrs.Envelope) ([]any, error) {
		o.Placed = true
		handled.add(env.MessageID)
		return nil, nil
	})
}

// harness is a service that sends PlaceOrder through an outbox and handles
// it from the inner transport.
type harness struct {
	d          dialect
	db         *sql.DB
	topic      string
	store      *sqlstore.Store
	users      string
	box        *outbox.Transport
	svc        *cqrs.Service
	orders     *cqrs.Aggregate
	handled    *counter
	deliveries *counter
	dedup      *idempotency.Middleware
}

// newHarness starts the service on topic with inner as the inner transport
// (default: an asynchronous ChannelTransport). Deliveries are counted
// before the idempotency middleware, handled commands inside it.
func newHarness(t *testing.T, d dialect, db *sql.DB, topic string, inner cqrs.Transport, opts ...func(*outbox.Transport)) *harness {
	t.Helper()
	return newHarnessOf(t, d, outbox.Config{DB: db, Dialect: d.dialect, Transport: inner, Topic: topic}, opts...)
}

// newHarnessOf is newHarness on the outbox cfg.
func newHarnessOf(t *testing.T, d dialect, cfg outbox.Config, opts ...func(*outbox.Transport)) *harness {
	t.Helper()
	if cfg.Transport == nil {
		var err error
		cfg.Transport, err = cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
	}
	db, topic := cfg.DB, cfg.Topic
	box, err := outbox.New(cfg)
	require.NoError(t, err)
	for _, o := range opts {
		o(box)
	}
	h := &harness{d: d, db: db, topic: topic, box: box, handled: newCounter(), deliveries: newCounter()}
	h.store, h.users = newStore(t, d, db)
	idem, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = idem.Close() })
	h.dedup, err = idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{})
	require.NoError(t, err)
	mws := []message.HandlerMiddleware{countDeliveries(h.deliveries), h.dedup.Middleware}
	h.svc, err = wire("orders", box, h.store, mws, h.handled)
	require.NoError(t, err)
	require.NoError(t, h.svc.Start(context.Background()))
	t.Cleanup(func() {
		assert.NoError(t, h.svc.Close())
		assert.NoError(t, box.Close())
	})
	h.orders = cqrs.NewAggregate(h.svc, "order")
	return h
}

// countDeliveries counts each delivery that was handled without error,
// once its handling has ended.
func countDeliveries(c *counter) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err == nil {
				c.add(msg.Metadata.Get(sourceflow.MetaMessageID))
			}
			return out, err
		}
	}
}

// newStore returns a cqrs SQL store on db with its own tables, and a users
// table, all dropped after the test.
func newStore(t testing.TB, d dialect, db *sql.DB) (*sqlstore.Store, string) {
	t.Helper()
	prefix := uniqueName("sfo") + "_"
	s, err := sqlstore.New(context.Background(), db, sqlstore.Config{Dialect: d.dialect, TablePrefix: prefix})
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE " + prefix + "users (id VARCHAR(64) NOT NULL PRIMARY KEY)")
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, suffix := range []string{"users", "sequences", "commands", "entities", "views", "schema_version"} {
			_, err := db.Exec("DROP TABLE IF EXISTS " + prefix + suffix)
			assert.NoError(t, err)
		}
	})
	return s, prefix + "users"
}

// insertUser inserts a user row in the transaction ctx carries.
func (h *harness) insertUser(ctx context.Context, tx *sql.Tx, id string) error {
	if tx == nil {
		return errors.New("no transaction in the context")
	}
	_, err := tx.ExecContext(ctx, sqldb.Rebind(h.d.dialect, "INSERT INTO "+h.users+" (id) VALUES (?)"), id)
	return err
}

// hasUser reports whether the user row id was committed.
func (h *harness) hasUser(t testing.TB, id string) bool {
	t.Helper()
	var n int
	require.NoError(t, h.db.QueryRow(sqldb.Rebind(h.d.dialect, "SELECT COUNT(*) FROM "+h.users+" WHERE id = ?"), id).Scan(&n))
	return n == 1
}
