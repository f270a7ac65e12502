package cqrs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// txKey marks a context as carrying a handling transaction.
type txKey struct{}

func inTx(ctx context.Context) bool { return ctx.Value(txKey{}) != nil }

// inTransaction stands in for transactional idempotency: every handling runs
// with a transaction in its context.
func inTransaction(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		msg.SetContext(context.WithValue(msg.Context(), txKey{}, true))
		return h(msg)
	}
}

// joiningDocs is a DocumentStore that joins the handling transaction.
type joiningDocs struct{ cqrs.DocumentStore }

func (joiningDocs) JoinsTransaction(ctx context.Context) bool { return inTx(ctx) }

// joiningCommands is a CommandStore that joins the handling transaction and
// runs WithinTx in it. Before its first Append, beforeAppend may store the
// same command as another instance would.
type joiningCommands struct {
	*cqrs.MemoryCommandStore
	mu           sync.Mutex
	beforeAppend func(ctx context.Context, cmd cqrs.StoredCommand) error
}

func (*joiningCommands) JoinsTransaction(ctx context.Context) bool { return inTx(ctx) }

func (*joiningCommands) WithinTx(ctx context.Context, fn func(context.Context) error) error {
	return fn(ctx) // joins the transaction ctx carries; nothing is undone in between
}

func (s *joiningCommands) Append(ctx context.Context, cmd cqrs.StoredCommand) error {
	s.mu.Lock()
	hook := s.beforeAppend
	s.beforeAppend = nil
	s.mu.Unlock()
	if hook != nil {
		if err := hook(ctx, cmd); err != nil {
			return err
		}
	}
	return s.MemoryCommandStore.Append(ctx, cmd)
}

// TestASynchronousChannelTransportRefusesToPublishInsideATransaction: a saga
// whose store joins the handling transaction raises an event on a
// synchronous ChannelTransport (directly, or as a HybridTransport's). The
// publish would wait for a consumer whose transaction may need what this
// one holds, so it fails with a reason instead of hanging.
func TestASynchronousChannelTransportRefusesToPublishInsideATransaction(t *testing.T) {
	for _, hybrid := range []bool{false, true} {
		t.Run(map[bool]string{false: "channel", true: "hybrid"}[hybrid], func(t *testing.T) {
			channel := newTransport(t)
			var tr cqrs.Transport = channel
			if hybrid {
				h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: channel})
				require.NoError(t, err)
				tr = h
			}
			svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders"},
				EntityStore: joiningDocs{cqrs.NewMemoryStore()}, HandlerMiddleware: []message.HandlerMiddleware{inTransaction}})
			require.NoError(t, err)
			registerOrderTypes(t, svc)
			require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), createOrder))
			start(t, svc)
			_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
			require.NoError(t, err, "the send outside a transaction goes out")
			eventually(t, func() bool { return channel.DeadLetterCount() == 1 }, "the handling fails")
			assert.Contains(t, channel.DeadLetters()[0].Reason, "set ChannelConfig.Async")
		})
	}
}

// TestAHandlerWhoseStoreIsNotInTheTransactionIsNotRunTwice: an event has a
// view (memory store, outside the transaction) and a reaction (its command
// store joins the transaction). The reaction fails once: the redelivery runs
// it again, since the rollback undid what it stored, but not the view, whose
// write stayed.
func TestAHandlerWhoseStoreIsNotInTheTransactionIsNotRunTwice(t *testing.T) {
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: newTransport(t), Listen: []string{"order-events"},
		CommandStore:      &joiningCommands{MemoryCommandStore: cqrs.NewMemoryCommandStore()},
		HandlerMiddleware: []message.HandlerMiddleware{inTransaction}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	view := cqrs.NewView[Summary](svc, "summary")
	var reactions atomic.Int64
	require.NoError(t, cqrs.Project(view, projectCreated))
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "order"), func(context.Context, *cqrs.Aggregate, OrderCreated, cqrs.Envelope) error {
		if reactions.Add(1) == 1 {
			return assert.AnError
		}
		return nil
	}))
	start(t, svc)
	_, err = svc.EventQueue().Raise(context.Background(), "o-1", OrderCreated{Amount: 5})
	require.NoError(t, err)

	eventually(t, func() bool { return reactions.Load() == 2 }, "the failed reaction runs again")
	s, found, err := view.Get(context.Background(), "o-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, Summary{Amount: 5, Events: 1}, s, "the view projected the event once")
}

// TestADuplicateCommandInsideATransactionFailsTheHandling: a reaction sends
// a command that another instance stores first. With the command store in
// the handling transaction, retrying inside it would keep the sequence the
// first attempt reserved; the send fails instead, the handling is redelivered
// and then finds the stored command.
func TestADuplicateCommandInsideATransactionFailsTheHandling(t *testing.T) {
	commands := &joiningCommands{MemoryCommandStore: cqrs.NewMemoryCommandStore()}
	commands.beforeAppend = func(ctx context.Context, cmd cqrs.StoredCommand) error {
		other := cmd
		seq, err := commands.NextSequence(ctx, cmd.Envelope.EntityID)
		require.NoError(t, err)
		other.Envelope.Sequence = seq
		require.NoError(t, commands.MemoryCommandStore.Append(ctx, other))
		return cqrs.ErrDuplicateCommand
	}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: newAsyncTransport(t),
		Listen: []string{"order-events", "payments"}, CommandStore: commands,
		HandlerMiddleware: []message.HandlerMiddleware{inTransaction}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	var sendErrs recorder[error]
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "order"), func(ctx context.Context, a *cqrs.Aggregate, e OrderCreated, env cqrs.Envelope) error {
		_, err := a.Send(ctx, env.EntityID, ProcessPayment{Amount: e.Amount})
		sendErrs.add(err)
		return err
	}))
	payments := cqrs.NewSaga[Payments](svc, "payment")
	require.NoError(t, cqrs.Handle(payments, func(_ context.Context, p *Payments, c ProcessPayment, _ cqrs.Envelope) ([]any, error) {
		p.Amounts = append(p.Amounts, c.Amount)
		return nil, nil
	}))
	start(t, svc)
	_, err = svc.EventQueue().Raise(context.Background(), "o-1", OrderCreated{Amount: 5})
	require.NoError(t, err)

	eventually(t, func() bool {
		p, _, err := payments.Load(context.Background(), "o-1")
		return err == nil && len(p.Amounts) == 1 && len(sendErrs.all()) == 2
	}, "the redelivered reaction sends the stored command")
	errs := sendErrs.all()
	assert.ErrorIs(t, errs[0], cqrs.ErrDuplicateCommand, "no retry inside the transaction")
	assert.NoError(t, errs[len(errs)-1])
}

func newAsyncTransport(t *testing.T) *cqrs.ChannelTransport {
	t.Helper()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}
