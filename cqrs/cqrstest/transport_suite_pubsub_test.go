package cqrstest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// gochannelPubSub is one gochannel Pub/Sub that every PubSubTransport of a
// run shares, recording the dead letters published to it. Each service
// subscribes once per topic, so every service (consumer group) receives
// every message of a topic. Gochannel hands over each message in its own
// goroutine, so it keeps no order.
type gochannelPubSub struct {
	gc   *gochannel.GoChannel
	mu   sync.Mutex
	dead map[string]map[string]string // dead-letter topic → message id → reason
}

func (p *gochannelPubSub) Publish(topic string, msgs ...*message.Message) error {
	if strings.HasSuffix(topic, "-dlq") {
		p.mu.Lock()
		if p.dead[topic] == nil {
			p.dead[topic] = map[string]string{}
		}
		for _, m := range msgs {
			id := m.Metadata.Get(sourceflow.MetaMessageID)
			if id == "" {
				id = m.UUID
			}
			p.dead[topic][id] = m.Metadata.Get(sourceflow.MetaFailure)
		}
		p.mu.Unlock()
	}
	return p.gc.Publish(topic, msgs...)
}

func (p *gochannelPubSub) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	return p.gc.Subscribe(ctx, topic)
}

// Close does nothing: the run closes the gochannel.
func (p *gochannelPubSub) Close() error { return nil }

func (p *gochannelPubSub) deadLetters(destination string) map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]string{}
	for id, reason := range p.dead[destination+"-dlq"] {
		out[id] = reason
	}
	return out
}

func TestRunTransportPubSubTransportOnGoChannel(t *testing.T) {
	ps := &gochannelPubSub{dead: map[string]map[string]string{},
		gc: gochannel.NewGoChannel(gochannel.Config{Persistent: true}, watermill.NopLogger{})}
	t.Cleanup(func() { require.NoError(t, ps.gc.Close()) })
	var seq atomic.Int64
	cqrstest.RunTransport(t, cqrstest.TransportHarness{
		New: func(t *testing.T) cqrs.Transport {
			tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{
				Publisher:       ps,
				Subscriber:      func(string, string) (message.Subscriber, error) { return ps, nil },
				Capabilities:    cqrs.Capabilities{ConsumerGroups: true},
				RedeliveryDelay: time.Millisecond,
			})
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, tr.Close()) })
			return tr
		},
		Destination: func(_ *testing.T, kind sourceflow.Kind, ordered bool) string {
			name := fmt.Sprintf("pubsub-%s-%d", kind, seq.Add(1))
			if ordered {
				name += ".fifo"
			}
			return name
		},
		DeadLetters: func(_ *testing.T, destination string) map[string]string { return ps.deadLetters(destination) },
		Instances:   1,
		Timeout:     10 * time.Second,
	})
}
