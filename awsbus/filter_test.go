package awsbus_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

type filterPlaced struct {
	ID string `json:"id"`
}

type filterShipped struct {
	ID string `json:"id"`
}

// filterService returns a service named name over its own Transport on the
// fakes, listening to listen, with filter.Placed and filter.Shipped
// registered on "orders-events" (filter.Shipped only when shipped); the
// caller adds its handlers and starts it.
func filterService(t *testing.T, sq *awsbustest.SQS, sn *awsbustest.SNS, name string, shipped bool, listen ...string) *cqrs.Service {
	t.Helper()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{WaitTime: time.Second, ShutdownTimeout: time.Second}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: name, Transport: tr, Listen: listen, CloseTimeout: 2 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	require.NoError(t, cqrs.RegisterEvent[filterPlaced](svc, "filter.Placed", "orders-events"))
	if shipped {
		require.NoError(t, cqrs.RegisterEvent[filterShipped](svc, "filter.Shipped", "orders-events"))
	}
	return svc
}

// A service's event queue subscribes with a filter policy naming the types
// it handles: an event of a type it does not handle, registered or not,
// never reaches its queue, so it is neither retried nor dead-lettered there.
func TestFilterPolicyKeepsAnUnhandledEventTypeOutOfTheQueue(t *testing.T) {
	for _, knows := range []bool{false, true} {
		t.Run(map[bool]string{false: "type not registered", true: "type registered without a handler"}[knows], func(t *testing.T) {
			sq, sn := newFakes()
			billing := filterService(t, sq, sn, "billing", knows, "orders-events")
			var placed atomic.Int64
			require.NoError(t, cqrs.React(cqrs.NewAggregate(billing, "bill"), func(context.Context, *cqrs.Aggregate, filterPlaced, cqrs.Envelope) error {
				placed.Add(1)
				return nil
			}))
			require.NoError(t, billing.Start(context.Background()))
			orders := filterService(t, sq, sn, "orders", true)
			require.NoError(t, orders.Start(context.Background()))
			_, err := orders.EventQueue().Raise(context.Background(), "o-1", filterShipped{ID: "o-1"})
			require.NoError(t, err)
			_, err = orders.EventQueue().Raise(context.Background(), "o-1", filterPlaced{ID: "o-1"})
			require.NoError(t, err)

			require.Eventually(t, func() bool { return placed.Load() == 1 }, waitFor, tick, "billing handled filter.Placed")
			for _, q := range []string{"billing-orders-events", "billing-orders-events-dlq"} {
				require.NotEmpty(t, sq.QueueURL(q), "queue %s", q)
				for _, m := range sq.Messages(sq.QueueURL(q)) {
					assert.NotEqual(t, "filter.Shipped", m.Attributes["sf_type"], "filter.Shipped reached %s", q)
				}
			}
		})
	}
}
