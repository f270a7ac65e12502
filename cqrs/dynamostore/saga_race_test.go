package dynamostore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	idemdynamo "github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

type (
	raceCmd     struct{ Tag string }
	raceChanged struct {
		Seen int
		By   string
	}
	raceState struct{ N int }
)

// gatedEntities holds the first Load until released: the instance it
// belongs to reads the saga before another instance's save.
type gatedEntities struct {
	cqrs.EntityStore
	once           sync.Once
	loaded, resume chan struct{}
}

// WithinTx and JoinsTransaction pass the store's transaction through.
func (g *gatedEntities) WithinTx(ctx context.Context, fn func(context.Context) error) error {
	return g.EntityStore.(sourceflow.Transactor).WithinTx(ctx, fn)
}

func (g *gatedEntities) JoinsTransaction(ctx context.Context) bool {
	return g.EntityStore.(cqrs.TransactionJoiner).JoinsTransaction(ctx)
}

func (g *gatedEntities) Load(ctx context.Context, kind, id string) (cqrs.Document, error) {
	doc, err := g.EntityStore.Load(ctx, kind, id)
	g.once.Do(func() { close(g.loaded); <-g.resume })
	return doc, err
}

// raceService is one instance of a service whose saga raises an event
// saying how many commands it has seen, in transactional mode, with or
// without the outbox.
func raceService(t *testing.T, st *dynamostore.Store, idem *idemdynamo.Store, entities cqrs.EntityStore, rec *cqrstest.Recorder[raceChanged], outbox bool) *cqrs.Aggregate {
	mw, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{Transactional: true})
	require.NoError(t, err)
	var tr cqrs.Transport
	tr, err = cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	if outbox {
		tr, err = dynamostore.NewOutbox(context.Background(), st, dynamostore.OutboxConfig{Transport: tr, Name: "orders"})
		require.NoError(t, err)
	}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{
		Name: "orders", Transport: tr, Listen: []string{"orders", "events"},
		CommandStore: st.Commands(), EntityStore: entities, ViewStore: st.Views(),
		HandlerMiddleware: []message.HandlerMiddleware{mw.Middleware},
	})
	require.NoError(t, err)
	agg := cqrs.NewAggregate(svc, "client")
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[raceCmd](svc, "orders.Cmd", "orders"),
		cqrs.RegisterEvent[raceChanged](svc, "orders.Changed", "events"),
		cqrs.Handle(cqrs.NewSaga[raceState](svc, "order"), func(_ context.Context, s *raceState, c raceCmd, _ cqrs.Envelope) ([]any, error) {
			s.N++
			return []any{raceChanged{Seen: s.N, By: c.Tag}}, nil
		}),
		cqrs.React(agg, rec.Reaction()),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { _ = svc.Close(); _ = tr.Close() })
	return agg
}

// Two instances handle commands of one entity at once; B read the saga
// before A saved. B's stale run must lose before it publishes anything:
// the event delivered for B's command is the one its winning re-run raised.
// Without the outbox the saga's save is written before its events are
// published; with it, the save, the events and the completion are one
// transaction that the stale run loses whole.
func TestALosingSagaRunPublishesNothing(t *testing.T) {
	t.Run("saves before publishing", func(t *testing.T) { losingRunPublishesNothing(t, false) })
	t.Run("outbox", func(t *testing.T) { losingRunPublishesNothing(t, true) })
}

func losingRunPublishesNothing(t *testing.T, outbox bool) {
	ctx := context.Background()
	api := dynamotest.Client(t)
	prefix := dynamotest.Prefix()
	st, err := dynamostore.New(ctx, dynamostore.Config{Client: api, TablePrefix: prefix})
	require.NoError(t, err)
	idem, err := idemdynamo.New(ctx, idemdynamo.Config{Client: api, Table: prefix + "idempotency"})
	require.NoError(t, err)
	for _, tb := range append(st.Tables(), dynamostore.OutboxTable(dynamostore.Config{TablePrefix: prefix}), idem.Table()) {
		dynamotest.DropTables(t, api, tb.Name)
	}
	var recA, recB cqrstest.Recorder[raceChanged]
	aggA := raceService(t, st, idem, st.Entities(), &recA, outbox)
	gate := &gatedEntities{EntityStore: st.Entities(), loaded: make(chan struct{}), resume: make(chan struct{})}
	aggB := raceService(t, st, idem, gate, &recB, outbox)

	_, err = aggB.Send(ctx, "o-1", raceCmd{Tag: "y"})
	require.NoError(t, err)
	select {
	case <-gate.loaded:
	case <-time.After(30 * time.Second):
		t.Fatal("instance B never loaded the saga")
	}
	_, err = aggA.Send(ctx, "o-1", raceCmd{Tag: "x"})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return recA.Len()+recB.Len() == 1 }, 30*time.Second, 10*time.Millisecond, "A's event")
	close(gate.resume) // B saves on its stale read: it must lose, reload and run again
	require.Eventually(t, func() bool { return recA.Len()+recB.Len() >= 2 }, 30*time.Second, 10*time.Millisecond, "B's event")

	doc, err := st.Entities().Load(ctx, "order", "o-1")
	require.NoError(t, err)
	assert.Equal(t, int64(2), doc.Version)
	for _, r := range append(recA.Records(), recB.Records()...) {
		switch r.Message.By {
		case "x":
			assert.Equal(t, 1, r.Message.Seen, "A ran first")
		case "y":
			assert.Equal(t, 2, r.Message.Seen, "the event of B's command is the one of its winning run, not of the stale one")
		}
	}
}
