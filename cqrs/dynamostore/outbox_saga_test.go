package dynamostore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	idemdynamo "github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// transactions records the tables of every TransactWriteItems a client
// sends, one sorted list per call.
type transactions struct {
	mu    sync.Mutex
	calls [][]string
}

func (r *transactions) client(t *testing.T) *dynamodb.Client {
	c := dynamotest.Client(t)
	return dynamodb.New(c.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("tables", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if tw, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok {
					var tables []string
					for _, it := range tw.TransactItems {
						switch {
						case it.Put != nil:
							tables = append(tables, aws.ToString(it.Put.TableName))
						case it.Update != nil:
							tables = append(tables, aws.ToString(it.Update.TableName))
						case it.Delete != nil:
							tables = append(tables, aws.ToString(it.Delete.TableName))
						}
					}
					slices.Sort(tables)
					r.mu.Lock()
					r.calls = append(r.calls, tables)
					r.mu.Unlock()
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
		})
	})
}

func (r *transactions) since(n int) [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls[n:])
}

func (r *transactions) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

type (
	placeOrder  struct{ Amount int }
	orderPlaced struct{ Amount int }
	orderState  struct{ Total int }
)

// With the outbox, a saga's handling writes its new state, the event it
// raised and the idempotency completion in one TransactWriteItems, and
// the event goes out once that committed.
func TestOutboxWritesSagaStateEventsAndCompletionInOneTransaction(t *testing.T) {
	ctx := context.Background()
	var rec transactions
	api := rec.client(t)
	o := newOutboxService(t, api, api, "orders", "events")
	svc, agg := o.svc, o.agg
	prefix := strings.TrimSuffix(o.st.Tables()[0].Name, "commands")
	var placed cqrstest.Recorder[orderPlaced]
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[placeOrder](svc, "orders.Place", "orders"),
		cqrs.RegisterEvent[orderPlaced](svc, "orders.Placed", "events"),
		cqrs.Handle(cqrs.NewSaga[orderState](svc, "order"), func(_ context.Context, s *orderState, c placeOrder, _ cqrs.Envelope) ([]any, error) {
			s.Total += c.Amount
			return []any{orderPlaced{Amount: s.Total}}, nil
		}),
		cqrs.React(agg, placed.Reaction()),
	))
	require.NoError(t, svc.Start(ctx))

	before := rec.count()
	_, err := agg.Send(ctx, "o-1", placeOrder{Amount: 7})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return placed.Len() >= 1 }, 30*time.Second, 10*time.Millisecond)
	assert.Equal(t, 7, placed.Records()[0].Message.Amount)

	calls := rec.since(before)
	require.Len(t, calls, 2, "the send's transaction, then the handling's")
	assert.Equal(t, []string{prefix + "commands", prefix + "commands", prefix + "commands", prefix + "outbox"}, calls[0],
		"the command, its counter, its message-id marker and its message")
	assert.Equal(t, []string{prefix + "entities", prefix + "idempotency", prefix + "outbox"}, calls[1],
		"the saga's state, the completion and the event, together")
}

type outboxSetup struct {
	st    *dynamostore.Store
	inner *cqrs.ChannelTransport
	svc   *cqrs.Service
	agg   *cqrs.Aggregate
}

// newOutboxService returns a service on the outbox whose state is in a
// store on api and whose idempotency records are on idemAPI, not started.
func newOutboxService(t *testing.T, api, idemAPI *dynamodb.Client, listen ...string) outboxSetup {
	ctx := context.Background()
	prefix := dynamotest.Prefix()
	st, err := dynamostore.New(ctx, dynamostore.Config{Client: api, TablePrefix: prefix})
	require.NoError(t, err)
	idem, err := idemdynamo.New(ctx, idemdynamo.Config{Client: idemAPI, Table: prefix + "idempotency"})
	require.NoError(t, err)
	for _, tb := range append(st.Tables(), dynamostore.OutboxTable(dynamostore.Config{TablePrefix: prefix}), idem.Table()) {
		dynamotest.DropTables(t, api, tb.Name)
	}
	mw, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{Transactional: true})
	require.NoError(t, err)
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	ob, err := dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{Transport: inner, Name: "orders"})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{
		Name: "orders", Transport: ob, Listen: listen,
		CommandStore: st.Commands(), EntityStore: st.Entities(), ViewStore: st.Views(),
		HandlerMiddleware: []message.HandlerMiddleware{mw.Middleware},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close(); _ = ob.Close() })
	return outboxSetup{st: st, inner: inner, svc: svc, agg: cqrs.NewAggregate(svc, "client")}
}

// A saga's handling in a transaction of another client is refused, not
// written apart from it.
func TestOutboxRefusesASagaHandlingOnAnotherClient(t *testing.T) {
	ctx := context.Background()
	s := newOutboxService(t, dynamotest.Client(t), dynamotest.Client(t), "orders")
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[placeOrder](s.svc, "orders.Place", "orders"),
		cqrs.Handle(cqrs.NewSaga[orderState](s.svc, "order"), func(_ context.Context, o *orderState, c placeOrder, _ cqrs.Envelope) ([]any, error) {
			o.Total += c.Amount
			return nil, nil
		}),
	))
	require.NoError(t, s.svc.Start(ctx))
	_, err := s.agg.Send(ctx, "o-1", placeOrder{Amount: 1})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return s.inner.DeadLetterCount() == 1 }, 30*time.Second, 10*time.Millisecond)
	dead := s.inner.DeadLetters()
	require.Len(t, dead, 1)
	assert.Contains(t, dead[0].Reason, "another client")
	_, err = s.st.Entities().Load(ctx, "order", "o-1")
	assert.ErrorIs(t, err, cqrs.ErrNotFound, "nothing written apart from the handling transaction")
}
