package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	idemdynamo "github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

type (
	benchCreate struct{ Amount int }
	benchOrder  struct{ Amount, Commands int }
)

// BenchmarkSagaCommand sends one command and handles it with a saga whose
// state, command log and idempotency record are in DynamoDB, with the
// idempotency middleware in transactional mode, on the synchronous
// in-process transport. It reports the requests the handling makes (claim,
// load, one transactional write of the new state and the completion) by
// kind, and the capacity units they would consume on DynamoDB (see
// capacity); and the sender's requests (sequence, command) apart.
func BenchmarkSagaCommand(b *testing.B) { benchmarkSagaCommand(b, false) }

// BenchmarkSagaCommandWithOutbox is BenchmarkSagaCommand with the Outbox in
// front of the transport and a saga that raises one event: the handling's
// transactional write holds the new state, the event and the completion,
// and the relay deletes the event from the outbox after publishing it.
func BenchmarkSagaCommandWithOutbox(b *testing.B) { benchmarkSagaCommand(b, true) }

func benchmarkSagaCommand(b *testing.B, outbox bool) {
	var handling, sending requestCount
	counting := &handling
	var mu sync.Mutex
	client := dynamotest.Client(b)
	client = dynamodb.New(client.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				mu.Lock()
				counting.add(middleware.GetOperationName(ctx), in.Parameters, out.Result)
				mu.Unlock()
				return out, md, err
			}), middleware.After)
		})
	})
	svc := benchSagaService(b, client, func(fn func()) {
		mu.Lock()
		counting = &handling
		mu.Unlock()
		fn()
		mu.Lock()
		counting = &sending
		mu.Unlock()
	}, outbox)
	agg, ctx := cqrs.NewAggregate(svc, "order"), context.Background()
	mu.Lock()
	handling, sending, counting = requestCount{}, requestCount{}, &sending
	mu.Unlock()
	i := 0
	for b.Loop() {
		i++
		if _, err := agg.Send(ctx, fmt.Sprintf("e-%d", i%100), benchCreate{Amount: 1}); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(handling.reads)/n, "handle-reads/op")
	b.ReportMetric(float64(handling.writes)/n, "handle-writes/op")
	b.ReportMetric(float64(handling.transactions)/n, "handle-tx-writes/op")
	b.ReportMetric(handling.rcu/n, "handle-RCU/op")
	b.ReportMetric(handling.wcu/n, "handle-WCU/op")
	b.ReportMetric(float64(sending.reads+sending.writes+sending.transactions)/n, "send-requests/op")
}

// requestCount counts requests by kind and the capacity they consumed.
type requestCount struct {
	reads, writes, transactions int
	rcu, wcu                    float64
}

func (c *requestCount) add(op string, in, out any) {
	switch op {
	case "GetItem", "Query":
		c.reads++
	case "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem":
		c.writes++
	case "TransactWriteItems":
		c.transactions++
	}
	rcu, wcu := capacity(in, out)
	c.rcu, c.wcu = c.rcu+rcu, c.wcu+wcu
}

type benchCreated struct{ Amount int }

func benchSagaService(b *testing.B, client *dynamodb.Client, around func(func()), outbox bool) *cqrs.Service {
	ctx := context.Background()
	prefix := dynamotest.Prefix()
	st, err := dynamostore.New(ctx, dynamostore.Config{Client: client, TablePrefix: prefix})
	require.NoError(b, err)
	idem, err := idemdynamo.New(ctx, idemdynamo.Config{Client: client, Table: prefix + "idempotency"})
	require.NoError(b, err)
	for _, t := range append(st.Tables(), dynamostore.OutboxTable(dynamostore.Config{TablePrefix: prefix}), idem.Table()) {
		dynamotest.DropTables(b, client, t.Name)
	}
	mw, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{Transactional: true})
	require.NoError(b, err)
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(b, err)
	b.Cleanup(func() { _ = channel.Close() })
	var tr cqrs.Transport = channel
	if outbox {
		tr, err = dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{Transport: channel, Name: "orders"})
		require.NoError(b, err)
	}
	counted := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) (out []*message.Message, err error) {
			around(func() { out, err = h(msg) })
			return out, err
		}
	}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{
		Name: "orders", Transport: tr, Listen: []string{"orders"},
		CommandStore: st.Commands(), EntityStore: st.Entities(), ViewStore: st.Views(),
		HandlerMiddleware: []message.HandlerMiddleware{counted, mw.Middleware},
	})
	require.NoError(b, err)
	require.NoError(b, errors.Join(
		cqrs.RegisterCommand[benchCreate](svc, "orders.CreateOrder", "orders"),
		cqrs.RegisterEvent[benchCreated](svc, "orders.OrderCreated", "order-events"),
		cqrs.Handle(cqrs.NewSaga[benchOrder](svc, "order"), func(_ context.Context, o *benchOrder, c benchCreate, _ cqrs.Envelope) ([]any, error) {
			o.Amount += c.Amount
			o.Commands++
			if outbox {
				return []any{benchCreated{Amount: o.Amount}}, nil
			}
			return nil, nil
		}),
	))
	require.NoError(b, svc.Start(ctx))
	b.Cleanup(func() {
		_ = svc.Close()
		require.Zero(b, channel.DeadLetterCount(), "every handling succeeded")
	})
	return svc
}
