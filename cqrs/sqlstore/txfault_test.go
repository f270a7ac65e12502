package sqlstore_test

import (
	"context"
	"errors"
	"strings"
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

// errFault is the failure the fault points inject.
var errFault = errors.New("injected fault")

// faultPoints lists, in the order they happen while one message is handled
// in transactional mode, the steps a fault is injected at: the idempotency
// claim, the load of the saga document or view model, its save, the
// publishing of the raised event (sagas only), the idempotency completion and
// the commit.
var faultPoints = []string{"claim", "load", "save", "publish", "complete", "commit"}

// faults fires one armed fault at the first matching step, and remembers
// that it fired.
type faults struct {
	mu        sync.Mutex
	point     string // one of faultPoints
	kind      string // "order" (the saga) or "summary" (the view)
	fired     bool
	published map[string]int // OrderCreated ids published, with counts
}

func (f *faults) hit(point, kind string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fired || f.point != point || f.kind != kind {
		return nil
	}
	f.fired = true
	return errFault
}

func (f *faults) didFire() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// consumerKind maps an idempotency consumer ("orders/<destination>") to the
// kind of the handler behind it.
func consumerKind(consumer string) string {
	if strings.HasSuffix(consumer, "/order-events") {
		return "summary"
	}
	return "order"
}

// faultyDocs injects load and save faults into a document store.
type faultyDocs struct {
	cqrs.DocumentStore
	f *faults
}

// JoinsTransaction forwards to the wrapped store.
func (d faultyDocs) JoinsTransaction(ctx context.Context) bool {
	j, ok := d.DocumentStore.(cqrs.TransactionJoiner)
	return ok && j.JoinsTransaction(ctx)
}

func (d faultyDocs) Load(ctx context.Context, kind, id string) (cqrs.Document, error) {
	if err := d.f.hit("load", kind); err != nil {
		return cqrs.Document{}, err
	}
	return d.DocumentStore.Load(ctx, kind, id)
}

func (d faultyDocs) Save(ctx context.Context, kind, id string, data []byte, version int64) error {
	if err := d.f.hit("save", kind); err != nil {
		return err
	}
	return d.DocumentStore.Save(ctx, kind, id, data, version)
}

type txNoteKey struct{}

// txNote records which consumer a transaction completes, so the commit
// fault knows whose commit it is.
type txNote struct{ consumer string }

// faultyIdem injects claim, complete and commit faults into the idempotency
// store; a commit fault rolls the transaction back instead of committing.
type faultyIdem struct {
	*idemsql.Store
	f *faults
}

func (s faultyIdem) Claim(ctx context.Context, key idempotency.Key, hash string, lease time.Duration) (idempotency.ClaimResult, error) {
	if err := s.f.hit("claim", consumerKind(key.Consumer)); err != nil {
		return idempotency.ClaimResult{}, err
	}
	return s.Store.Claim(ctx, key, hash, lease)
}

func (s faultyIdem) Complete(ctx context.Context, key idempotency.Key, token string, ttl time.Duration) error {
	if note, ok := ctx.Value(txNoteKey{}).(*txNote); ok {
		note.consumer = key.Consumer
	}
	if err := s.f.hit("complete", consumerKind(key.Consumer)); err != nil {
		return err
	}
	return s.Store.Complete(ctx, key, token, ttl)
}

func (s faultyIdem) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	note := &txNote{}
	return s.Store.WithinTx(context.WithValue(ctx, txNoteKey{}, note), func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		if note.consumer == "" {
			return nil // a duplicate: nothing was completed
		}
		return s.f.hit("commit", consumerKind(note.consumer))
	})
}

// faultyPublisher injects the publish fault and counts the OrderCreated
// events that went out.
func (f *faults) decorate(pub message.Publisher) (message.Publisher, error) {
	return publisherFunc(func(topic string, msgs ...*message.Message) error {
		for _, m := range msgs {
			if m.Metadata.Get(sourceflow.MetaType) != "orders.OrderCreated" {
				continue
			}
			if err := f.hit("publish", "order"); err != nil {
				return err
			}
			f.mu.Lock()
			f.published[m.Metadata.Get(sourceflow.MetaMessageID)]++
			f.mu.Unlock()
		}
		return pub.Publish(topic, msgs...)
	}, pub), nil
}

type publisherFuncT struct {
	publish func(topic string, msgs ...*message.Message) error
	inner   message.Publisher
}

func publisherFunc(fn func(string, ...*message.Message) error, inner message.Publisher) message.Publisher {
	return publisherFuncT{publish: fn, inner: inner}
}

func (p publisherFuncT) Publish(topic string, msgs ...*message.Message) error {
	return p.publish(topic, msgs...)
}

func (p publisherFuncT) Close() error { return p.inner.Close() }

type (
	txCreate  struct{ Amount int }
	txCreated struct{ Amount int }
	txOrder   struct{ Amount, Commands int }
	txSummary struct{ Amount, Events int }
)

// txApp is one service whose saga, view, command store and idempotency
// store share a database, handling in transactional mode.
type txApp struct {
	svc     *cqrs.Service
	tr      *cqrs.ChannelTransport
	store   *sqlstore.Store
	saga    *cqrs.Saga[txOrder]
	summary *cqrs.View[txSummary]
}

func newTxApp(t *testing.T, d dialect, f *faults, extra ...func(*cqrs.Service)) *txApp {
	t.Helper()
	ctx := context.Background()
	app := &txApp{store: d.open(t, sqlstore.Config{})}
	table := uniquePrefix() + "idem"
	idem, err := idemsql.New(ctx, app.store.DB(), idemsql.Config{Dialect: d.dialect, Table: table})
	require.NoError(t, err)
	t.Cleanup(func() {
		assert.NoError(t, idem.Close())
		for _, tbl := range []string{table, table + "_version"} {
			_, err := app.store.DB().Exec("DROP TABLE IF EXISTS " + tbl)
			assert.NoError(t, err)
		}
	})
	mw, err := idempotency.NewMiddleware(faultyIdem{Store: idem, f: f}, idempotency.MiddlewareConfig{Transactional: true})
	require.NoError(t, err)
	app.tr, err = cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, RedeliveryDelay: time.Millisecond, MaxDeliveries: 10})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, app.tr.Close()) })
	app.svc, err = cqrs.NewService(cqrs.ServiceConfig{
		Name: "orders", Transport: app.tr, Listen: []string{"orders", "order-events"},
		CommandStore:        app.store.Commands(),
		EntityStore:         faultyDocs{DocumentStore: app.store.Entities(), f: f},
		ViewStore:           faultyDocs{DocumentStore: app.store.Views(), f: f},
		HandlerMiddleware:   []message.HandlerMiddleware{mw.Middleware},
		PublisherDecorators: []message.PublisherDecorator{f.decorate},
	})
	require.NoError(t, err)
	app.wire(t, extra)
	require.NoError(t, app.svc.Start(ctx))
	t.Cleanup(func() { assert.NoError(t, app.svc.Close()) })
	return app
}

// wire registers the types, then extra handlers, then the saga and the
// view, so that extra handlers of OrderCreated run before the view.
func (a *txApp) wire(t *testing.T, extra []func(*cqrs.Service)) {
	t.Helper()
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[txCreate](a.svc, "orders.CreateOrder", "orders"),
		cqrs.RegisterEvent[txCreated](a.svc, "orders.OrderCreated", "order-events"),
	))
	for _, wire := range extra {
		wire(a.svc)
	}
	a.saga = cqrs.NewSaga[txOrder](a.svc, "order")
	a.summary = cqrs.NewView[txSummary](a.svc, "summary")
	require.NoError(t, errors.Join(
		cqrs.Handle(a.saga, func(_ context.Context, o *txOrder, c txCreate, _ cqrs.Envelope) ([]any, error) {
			o.Amount += c.Amount
			o.Commands++
			return []any{txCreated(c)}, nil
		}),
		cqrs.Project(a.summary, func(_ context.Context, s *txSummary, e txCreated, _ cqrs.Envelope) error {
			s.Amount += e.Amount
			s.Events++
			return nil
		}),
	))
}

// TestOneTransactionPerMessageSurvivesAFaultAtEveryStep handles a command
// (saga: claim, load, save, publish the event, complete, commit) and its event
// (view: claim, load, save, complete, commit) with the stores and the
// idempotency store on one database, and fails one step once. The failed
// transaction rolls back whole, the transport redelivers, and in the end the
// saga and the view applied their message exactly once; a re-raised event
// keeps its id.
func TestOneTransactionPerMessageSurvivesAFaultAtEveryStep(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		d.dsn(t) // skip or fail the whole dialect at once
		for _, kind := range []string{"order", "summary"} {
			for _, point := range faultPoints {
				if point == "publish" && kind == "summary" {
					continue // a view raises nothing
				}
				t.Run(kind+"/"+point, func(t *testing.T) {
					f := &faults{point: point, kind: kind, published: map[string]int{}}
					testFaultAt(t, newTxApp(t, d, f), f)
				})
			}
		}
	})
}

func testFaultAt(t *testing.T, app *txApp, f *faults) {
	ctx := context.Background()
	_, err := cqrs.NewAggregate(app.svc, "order").Send(ctx, "e-1", txCreate{Amount: 5})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		s, found, err := app.summary.Get(ctx, "e-1")
		if err != nil || !found || s.Events < 1 || !f.didFire() {
			return false
		}
		_, found, err = app.saga.Load(ctx, "e-1")
		return err == nil && found
	}, 20*time.Second, 5*time.Millisecond, "the fault was injected, and the command and its event were handled")

	order, found, err := app.saga.Load(ctx, "e-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, txOrder{Amount: 5, Commands: 1}, order, "the saga applied the command once")
	summary, _, err := app.summary.Get(ctx, "e-1")
	require.NoError(t, err)
	assert.Equal(t, txSummary{Amount: 5, Events: 1}, summary, "the view applied the event once")
	stream, err := app.store.Commands().Load(ctx, "e-1")
	require.NoError(t, err)
	assert.Len(t, stream, 1, "one command stored")
	f.mu.Lock()
	assert.Len(t, f.published, 1, "every publish of the event used one id")
	f.mu.Unlock()
	assert.Empty(t, app.tr.DeadLetters(), "nothing was given up")
}
