package cqrstest_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// channelTransports gives each scenario one ChannelTransport that all its
// service instances share. Scenarios do not share one: on a synchronous
// ChannelTransport a subscription that starts or ends (a service of an
// earlier scenario closing) waits for the publishes in flight, and a
// publish whose handler publishes again waits for it in turn.
type channelTransports struct {
	mu  sync.Mutex
	byT map[string]*cqrs.ChannelTransport
}

func (c *channelTransports) of(t *testing.T) *cqrs.ChannelTransport {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tr, ok := c.byT[t.Name()]; ok {
		return tr
	}
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tr.Close()) })
	c.byT[t.Name()] = tr
	return tr
}

// deadLetters returns the reasons of what tr dead-lettered from destination,
// by message id.
func deadLetters(tr *cqrs.ChannelTransport, destination string) map[string]string {
	out := map[string]string{}
	for _, dl := range tr.DeadLetters() {
		if dl.Destination != destination {
			continue
		}
		id := dl.Message.Metadata.Get(sourceflow.MetaMessageID)
		if id == "" {
			id = dl.Message.UUID
		}
		out[id] = dl.Reason
	}
	return out
}

func channelHarness() cqrstest.TransportHarness {
	transports := &channelTransports{byT: map[string]*cqrs.ChannelTransport{}}
	var seq atomic.Int64
	return cqrstest.TransportHarness{
		New: func(t *testing.T) cqrs.Transport { return transports.of(t) },
		Destination: func(_ *testing.T, kind sourceflow.Kind, ordered bool) string {
			name := fmt.Sprintf("%s-%d", kind, seq.Add(1))
			if ordered {
				name += ".fifo"
			}
			return name
		},
		DeadLetters: func(t *testing.T, destination string) map[string]string {
			return deadLetters(transports.of(t), destination)
		},
		Instances: 1,
		Ordered:   true,
		Timeout:   10 * time.Second,
	}
}

func TestRunTransportChannelTransport(t *testing.T) {
	cqrstest.RunTransport(t, channelHarness())
}

func ExampleRunTransport() {
	// In a _test.go file of the package that implements a transport:
	_ = func(t *testing.T) {
		cqrstest.RunTransport(t, cqrstest.TransportHarness{
			New:         nil, // return the transport of one service instance
			Destination: nil, // return a destination name unique to this run
			DeadLetters: nil, // read what the transport dead-lettered
		})
	}
}
