//go:build integration

package integration

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestSQLBusSagaFlowAcrossTwoServices runs the pay flow on the SQL
// transport: orders sends PayOrder to payments, whose saga raises OrderPaid;
// both services receive it through their own consumer group; the orders
// aggregate reacts with ConfirmOrder to its own saga. The command
// destinations end in .fifo, which the transport accepts because it
// declares ordered delivery.
func TestSQLBusSagaFlowAcrossTwoServices(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		payQ, orderQ, paid := sqlbusName("pay", ".fifo"), sqlbusName("ord", ".fifo"), sqlbusName("paid", "")
		dropSQLBusTables(t, d, db, payQ, orderQ, paid)
		runs := &ledger{}
		config := func(name string, listen ...string) cqrs.ServiceConfig {
			return cqrs.ServiceConfig{Name: name, Listen: listen,
				HandlerMiddleware: []message.HandlerMiddleware{deliveries(name, runs), memoryIdempotency(t)}}
		}
		f := &payFlow{runs: runs, payQ: payQ, orderQ: orderQ, paidTopic: paid}
		f.payments = sqlbusService(t, sqlbusConfig(d, db), config(svcPayment, payQ, paid))
		f.orders = sqlbusService(t, sqlbusConfig(d, db), config(svcOrders, orderQ, paid))
		for _, svc := range []*cqrs.Service{f.orders, f.payments} {
			require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", payQ))
			require.NoError(t, cqrs.RegisterCommand[ConfirmOrder](svc, "model.ConfirmOrder", orderQ))
			require.NoError(t, cqrs.RegisterEvent[OrderPaid](svc, "model.OrderPaid", paid))
		}
		f.wirePayments(t)
		f.wireOrders(t)
		startModel(t, f.payments, f.orders)

		began := time.Now()
		cmd, err := f.agg.Send(context.Background(), "order-1", PayOrder{Amount: 42})
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			return len(runs.byHandler(svcOrders, hConfirm)) >= 1 && len(runs.byHandler(svcPayment, hLedger)) >= 1
		}, 30*time.Second, 10*time.Millisecond, "the flow reaches the orders saga and the payments view")
		t.Logf("%s: PayOrder → OrderPaid → ConfirmOrder in %v", d, time.Since(began).Round(time.Millisecond))

		for _, h := range []struct{ svc, name string }{{svcPayment, hPay}, {svcPayment, hLedger}, {svcOrders, hSummary}, {svcOrders, hReact}, {svcOrders, hConfirm}} {
			assert.Len(t, runs.messageIDs(h.svc, h.name), 1, "%s %s handles one message", h.svc, h.name)
		}
		ev := runs.byHandler(svcOrders, hSummary)[0].Env
		assert.Equal(t, []string{svcPayment}, runs.servicesThatSaw(cmd.MessageID), "PayOrder is delivered to payments only")
		assert.Equal(t, []string{svcOrders, svcPayment}, runs.servicesThatSaw(ev.MessageID), "OrderPaid reaches each subscriber")
		order, found, err := f.orderSaga.Load(context.Background(), "order-1")
		require.NoError(t, err)
		require.True(t, found)
		assert.True(t, order.Confirmed)
		summary, found, err := f.summary.Get(context.Background(), "order-1")
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, OrderSummary{Amount: 42, Paid: true, Events: 1}, summary)
	})
}

// TestSQLBusCommandsSplitBetweenTwoInstances starts two instances of the
// payments service (one consumer group) and sends commands for many
// entities: every command is handled, by one instance or the other, and
// behind a shared idempotency store each is applied once.
func TestSQLBusCommandsSplitBetweenTwoInstances(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		const commands = 40
		payQ := sqlbusName("split", "")
		dropSQLBusTables(t, d, db, payQ)
		runs, idem := &ledger{}, memoryIdempotency(t)
		var instances []*cqrs.Service
		for i := range 2 {
			svc := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: svcPayment, Listen: []string{payQ},
				HandlerMiddleware: []message.HandlerMiddleware{deliveries(fmt.Sprintf("instance-%d", i), runs), idem}})
			require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", payQ))
			saga := cqrs.NewSaga[Payment](svc, "payment")
			require.NoError(t, cqrs.Handle(saga, func(_ context.Context, s *Payment, c PayOrder, env cqrs.Envelope) ([]any, error) {
				runs.add(svcPayment, hPay, env)
				s.Amount += c.Amount
				return nil, nil
			}))
			instances = append(instances, svc)
		}
		sender := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: svcOrders})
		require.NoError(t, cqrs.RegisterCommand[PayOrder](sender, "model.PayOrder", payQ))
		startModel(t, append(instances, sender)...)

		sent := map[string]bool{}
		for i := range commands {
			env, err := cqrs.NewAggregate(sender, "order").Send(context.Background(), fmt.Sprintf("order-%d", i), PayOrder{Amount: i})
			require.NoError(t, err)
			sent[env.MessageID] = true
		}
		require.Eventually(t, func() bool { return len(runs.messageIDs(svcPayment, hPay)) == commands },
			30*time.Second, 10*time.Millisecond, "every command is handled")
		for _, id := range runs.messageIDs(svcPayment, hPay) {
			assert.True(t, sent[id], "handled %s was sent", id)
		}
		assert.Len(t, runs.byHandler(svcPayment, hPay), commands, "the shared idempotency store applies each command once")
		for id := range sent {
			saw := runs.servicesThatSaw(id)
			assert.NotEmpty(t, saw, "%s reached an instance", id)
			assert.Subset(t, []string{"instance-0", "instance-1"}, saw)
		}
		t.Logf("%s: instance-0 received %d deliveries, instance-1 %d", d,
			len(runs.byHandler("instance-0", hDelivery)), len(runs.byHandler("instance-1", hDelivery)))
	})
}

// TestSQLBusEventsReachEverySubscribingServiceInOrder raises events of one
// entity on an ordered destination; two services subscribe, each through
// its own consumer group: each receives every event, its view applies each
// once, in the order raised.
func TestSQLBusEventsReachEverySubscribingServiceInOrder(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		const events = 20
		topic := sqlbusName("steps", ".fifo")
		dropSQLBusTables(t, d, db, topic)
		views := map[string]*cqrs.View[Sequences]{}
		var svcs []*cqrs.Service
		for _, name := range []string{"billing", "shipping"} {
			svc := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: name, Listen: []string{topic},
				HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)}})
			require.NoError(t, cqrs.RegisterEvent[StepDone](svc, "model.StepDone", topic))
			views[name] = cqrs.NewView[Sequences](svc, "steps")
			require.NoError(t, cqrs.Project(views[name], func(_ context.Context, m *Sequences, e StepDone, _ cqrs.Envelope) error {
				m.Seen = append(m.Seen, int64(e.N))
				return nil
			}))
			svcs = append(svcs, svc)
		}
		publisher := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "steps-publisher"})
		require.NoError(t, cqrs.RegisterEvent[StepDone](publisher, "model.StepDone", topic))
		startModel(t, append(svcs, publisher)...)

		for i := range events {
			_, err := publisher.EventQueue().Raise(context.Background(), "entity-1", StepDone{N: i + 1})
			require.NoError(t, err)
		}
		for name, view := range views {
			require.EventuallyWithT(t, func(c *assert.CollectT) {
				m, _, err := view.Get(context.Background(), "entity-1")
				require.NoError(c, err)
				assert.GreaterOrEqual(c, len(m.Seen), events)
			}, 30*time.Second, 10*time.Millisecond, "%s receives every event", name)
			m, _, err := view.Get(context.Background(), "entity-1")
			require.NoError(t, err)
			assert.Equal(t, oneTo(events), m.Seen, "%s applies every event once, in order", name)
		}
	})
}
