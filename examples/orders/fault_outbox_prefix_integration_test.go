//go:build integration

package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
)

// Two deployments that -prefix keeps apart on one set of DynamoDB tables
// (-table-prefix) relay each their own outbox messages: a message that a
// deployment no longer running left in the outbox, for a destination of its
// own, does not hold up the messages of the other deployment's orders
// service that its sweep has to relay (the instance that wrote them crashed
// or its relay failed). Both services are named "orders"; each outbox is
// named from its deployment's -prefix, and a message waiting for its
// destination holds only the messages behind it for that destination.
func TestFaultDeploymentsApartByPrefixHoldEachOthersOutbox(t *testing.T) {
	tables, _ := onDynamoDB(t, "fo")

	// Deployment "gone-": its relay fails, it stops, its message stays.
	gone := &routedTransport{prefix: "gone-"}
	gone.failing.Store(true)
	goneID := watermill.NewUUID()
	closeGone := writeInOutbox(t, tables, "gone-", gone, goneID)
	require.NoError(t, closeGone())

	// Deployment "live-": its message, in the same shard, is left to the
	// sweep by a failed relay, which then works again.
	live := &routedTransport{prefix: "live-"}
	live.failing.Store(true)
	liveID := idInShardOf(goneID)
	closeLive := writeInOutbox(t, tables, "live-", live, liveID)
	t.Cleanup(func() { assert.NoError(t, closeLive()) })
	live.failing.Store(false)

	// The sweep relays a message written more than RelayAfter (30 s) ago,
	// every SweepInterval (5 s).
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Contains(c, live.published(), liveID)
	}, 2*time.Minute, time.Second, "the live deployment's message waits behind the gone deployment's")
}

// writeInOutbox opens the example's DynamoDB stores for the deployment of
// prefix on the tables of tablePrefix, puts the outbox in front of the
// orders service's inner transport, binds it and writes, in one transaction, a
// message with id to the deployment's payments queue. It returns what
// closes the deployment.
func writeInOutbox(t *testing.T, tablePrefix, prefix string, inner cqrs.Transport, id string) func() error {
	t.Helper()
	ctx := t.Context()
	dests, err := newDestinations("fifo", prefix)
	require.NoError(t, err)
	opts := options{store: "dynamodb", tablePrefix: tablePrefix, prefix: prefix, provision: "create", dests: dests}
	st, err := openStores(ctx, opts, true)
	require.NoError(t, err)
	cfg := cqrs.ServiceConfig{Name: "orders", Transport: inner}
	require.NoError(t, st.configure(ctx, &cfg))
	// A service binds its transport when it starts; the outbox's sweep
	// starts with the first Bind.
	require.NoError(t, cfg.Transport.Bind(ctx, sourceflow.Binding{Service: "orders"}))
	store := st.backend.(*dynamobackend.Backend).Store()
	err = store.WithinTx(ctx, func(ctx context.Context) error {
		pub, err := cfg.Transport.Publisher(dests.paymentsQueue)
		if err != nil {
			return err
		}
		m := message.NewMessage(id, []byte(`{}`))
		m.SetContext(ctx)
		return pub.Publish(dests.paymentsQueue, m)
	})
	require.NoError(t, err)
	return st.close
}

// idInShardOf returns a new message id that the outbox puts into the same
// shard as id (the FNV-1a hash of the id, modulo its 8 shards).
func idInShardOf(id string) string {
	shard := func(s string) uint32 {
		h := fnv.New32a()
		_, _ = h.Write([]byte(s))
		return h.Sum32() % 8
	}
	for {
		if other := watermill.NewUUID(); shard(other) == shard(id) {
			return other
		}
	}
}

// routedTransport is the inner transport of one deployment: it has a
// publisher only for the destinations of its prefix (as awsbus, for the
// queues and topics it knows), fails every publish while failing is set,
// and records the ids it published.
type routedTransport struct {
	prefix  string
	failing atomic.Bool
	mu      sync.Mutex
	sent    []string
}

func (r *routedTransport) Bind(context.Context, sourceflow.Binding) error { return nil }
func (r *routedTransport) Subscriber(string) (message.Subscriber, error) {
	return nil, errors.New("no subscriber")
}
func (r *routedTransport) Close() error { return nil }

func (r *routedTransport) Publisher(destination string) (message.Publisher, error) {
	if !strings.HasPrefix(destination, r.prefix) {
		return nil, fmt.Errorf("%q: unknown destination", destination)
	}
	return r, nil
}

func (r *routedTransport) Publish(_ string, msgs ...*message.Message) error {
	if r.failing.Load() {
		return errors.New("relay failed")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		r.sent = append(r.sent, m.UUID)
	}
	return nil
}

func (r *routedTransport) published() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}
