package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type (
	requestQuote struct{}
	quoted       struct{ Price int64 }
	quoteState   struct{ Price int64 }
)

// undoFirst stands in for transactional idempotency whose first commit
// fails: the saves of the first handling that saves anything are undone
// after its events went out.
type undoFirst struct {
	cqrs.DocumentStore
	failed atomic.Bool
}

type pendingSaves struct{}

func (u *undoFirst) JoinsTransaction(ctx context.Context) bool { return inTx(ctx) }

func (u *undoFirst) Save(ctx context.Context, kind, id string, data []byte, version int64) error {
	saves, ok := ctx.Value(pendingSaves{}).(*[]func())
	if !ok {
		return u.DocumentStore.Save(ctx, kind, id, data, version)
	}
	*saves = append(*saves, func() { _ = u.DocumentStore.Save(ctx, kind, id, data, version) })
	return nil
}

func (u *undoFirst) middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		var saves []func()
		msg.SetContext(context.WithValue(msg.Context(), pendingSaves{}, &saves))
		msgs, err := inTransaction(h)(msg)
		if err != nil {
			return msgs, err
		}
		if len(saves) > 0 && u.failed.CompareAndSwap(false, true) {
			return nil, errors.New("commit failed") // rolled back
		}
		for _, save := range saves {
			save()
		}
		return msgs, nil
	}
}

// TestARerunThatRaisesADifferentEventGivesItANewID: the first handling of a
// command raises an event and its commit then fails; the rerun sees other
// input and raises a different event at the same position. Consumers must
// not drop it as a duplicate of the first: it gets its own id.
func TestARerunThatRaisesADifferentEventGivesItANewID(t *testing.T) {
	store := &undoFirst{DocumentStore: cqrs.NewMemoryStore()}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "quotes", Transport: newAsyncTransport(t),
		Listen: []string{"quotes", "quote-events"}, EntityStore: store,
		HandlerMiddleware: []message.HandlerMiddleware{store.middleware}})
	require.NoError(t, err)
	var price atomic.Int64 // what the handler reads from outside: it changes between runs
	var mu sync.Mutex
	seen := map[string]int64{}
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[requestQuote](svc, "quotes.RequestQuote", "quotes"),
		cqrs.RegisterEvent[quoted](svc, "quotes.Quoted", "quote-events"),
		cqrs.Handle(cqrs.NewSaga[quoteState](svc, "quote"), func(_ context.Context, s *quoteState, _ requestQuote, _ cqrs.Envelope) ([]any, error) {
			s.Price = price.Add(1)
			return []any{quoted{Price: s.Price}}, nil
		}),
		cqrs.Project(cqrs.NewView[quoteState](svc, "quote-view"), func(_ context.Context, _ *quoteState, e quoted, env cqrs.Envelope) error {
			mu.Lock()
			defer mu.Unlock()
			seen[env.MessageID] = e.Price
			return nil
		}),
	))
	start(t, svc)
	_, err = cqrs.NewAggregate(svc, "quote").Send(context.Background(), "q-1", requestQuote{})
	require.NoError(t, err)

	eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == 2
	}, "the rolled-back run's event and the rerun's arrive under two ids")
	mu.Lock()
	defer mu.Unlock()
	prices := []int64{}
	for _, p := range seen {
		prices = append(prices, p)
	}
	assert.ElementsMatch(t, []int64{1, 2}, prices)
}
