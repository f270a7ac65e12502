package awsbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// subscriberOn returns a second subscriber on w's fake whose endpoint is
// changed by edit.
func subscriberOn(t *testing.T, w *wire, cfg awsbus.SubscriberConfig, edit func(*topology.Endpoint)) *awsbus.Subscriber {
	t.Helper()
	ep := w.ep
	edit(&ep)
	if cfg.SQS == nil {
		cfg.SQS = w.sqs
	}
	cfg.Resolve = func(string) (topology.Endpoint, error) { return ep, nil }
	if cfg.WaitTime == 0 {
		cfg.WaitTime = time.Second // Close lets the long poll under way end
	}
	if cfg.NackBackoff == 0 {
		cfg.NackBackoff = -1
	}
	sub, err := awsbus.NewSubscriber(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

func TestSubscriberFIFOFailedDeadLetterKeepsGroupOrder(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, w *wire) *awsbus.Subscriber
	}{
		{name: "dead-letter send fails", setup: func(t *testing.T, w *wire) *awsbus.Subscriber {
			w.sqs.FailNext("SendMessage", 1, nil)
			return w.sub
		}},
		{name: "no dead-letter queue", setup: func(t *testing.T, w *wire) *awsbus.Subscriber {
			return subscriberOn(t, w, awsbus.SubscriberConfig{}, func(ep *topology.Endpoint) { ep.DLQURL = "" })
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWire(t, "orders.fifo", 5, awsbus.SubscriberConfig{})
			require.NoError(t, w.pub.Publish("orders.fifo", command("1", "g"), command("2", "g"), command("3", "g")))
			sub := tc.setup(t, w)
			ch, err := sub.Subscribe(context.Background(), "orders.fifo")
			require.NoError(t, err)
			var order []string
			for len(order) < 4 {
				m := next(t, ch)
				id := m.Metadata.Get(sourceflow.MetaMessageID)
				order = append(order, id)
				if len(order) == 1 {
					m.Metadata.Set(sourceflow.MetaFailure, "cqrs: unknown type orders.Nope")
					m.Nack()
					continue
				}
				m.Ack()
			}
			assert.Equal(t, []string{"1", "1", "2", "3"}, order, "the message that stayed on the queue comes back before the rest of its group")
			assert.Empty(t, w.sqs.Messages(w.ep.DLQURL), "nothing was dead-lettered")
		})
	}
}
