package dynamostore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// innerTransport records what the outbox relays to it. Publishes fail
// while down is set, and for good to a destination in unknown.
type innerTransport struct {
	mu      sync.Mutex
	sent    []*message.Message
	dests   []string
	down    bool
	unknown map[string]bool
	// block, when set, holds each publish (to blocked only, when set)
	// until it is closed; entered is closed when the first publish waits.
	block, entered chan struct{}
	blocked        string
	once           sync.Once
}

func (f *innerTransport) Bind(context.Context, sourceflow.Binding) error { return nil }
func (f *innerTransport) Subscriber(string) (message.Subscriber, error) {
	return nil, errors.New("not used")
}
func (f *innerTransport) Close() error { return nil }

func (f *innerTransport) Publisher(destination string) (message.Publisher, error) {
	return innerPublisher{f}, nil
}

func (f *innerTransport) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// uuids returns the ids of the messages sent to destination, in order.
func (f *innerTransport) uuids(destination string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for i, m := range f.sent {
		if f.dests[i] == destination {
			ids = append(ids, m.UUID)
		}
	}
	return ids
}

type innerPublisher struct{ f *innerTransport }

func (p innerPublisher) Publish(destination string, msgs ...*message.Message) error {
	if p.f.block != nil && (p.f.blocked == "" || p.f.blocked == destination) {
		p.f.once.Do(func() { close(p.f.entered) })
		<-p.f.block
	}
	p.f.mu.Lock()
	defer p.f.mu.Unlock()
	if p.f.down {
		return errors.New("inner transport is down")
	}
	if p.f.unknown[destination] {
		return sourceflow.Permanent(errors.New("no such destination"))
	}
	for _, m := range msgs {
		p.f.sent = append(p.f.sent, m)
		p.f.dests = append(p.f.dests, destination)
	}
	return nil
}

func (innerPublisher) Close() error { return nil }

func newOutbox(t *testing.T, st *dynamostore.Store, inner cqrs.Transport) *dynamostore.Outbox {
	t.Helper()
	return newOutboxRelayingAfter(t, st, inner, time.Second)
}

// newOutboxRelayingAfter returns an outbox in front of inner whose sweep
// relays messages written more than relayAfter ago, each under a lease of
// relayAfter; it sweeps only when a test calls Sweep.
func newOutboxRelayingAfter(t *testing.T, st *dynamostore.Store, inner cqrs.Transport, relayAfter time.Duration) *dynamostore.Outbox {
	t.Helper()
	o, err := dynamostore.NewOutbox(context.Background(), st, dynamostore.OutboxConfig{
		Transport: inner, Name: "orders", RelayAfter: relayAfter, SweepInterval: time.Hour,
	})
	require.NoError(t, err)
	require.NoError(t, o.Bind(context.Background(), sourceflow.Binding{}))
	t.Cleanup(func() { _ = o.Close() })
	return o
}

// publishIn publishes a message with id to destination through the
// outbox, with ctx as its context.
func publishIn(ctx context.Context, t *testing.T, o *dynamostore.Outbox, destination, id string) error {
	t.Helper()
	pub, err := o.Publisher(destination)
	require.NoError(t, err)
	m := message.NewMessage(id, []byte("payload of "+id))
	m.Metadata.Set("sf_type", "orders.Event")
	m.SetContext(ctx)
	return pub.Publish(destination, m)
}

func TestOutboxRelaysACommittedTransactionInOrderAndNothingOfARolledBackOne(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	inner := &innerTransport{}
	o := newOutbox(t, st, inner)

	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
		for _, id := range []string{"m-1", "m-2", "m-3"} {
			if err := publishIn(ctx, t, o, "events", id); err != nil {
				return err
			}
		}
		assert.Empty(t, inner.uuids("events"), "nothing goes out before the commit")
		return nil
	}))
	assert.Equal(t, []string{"m-1", "m-2", "m-3"}, inner.uuids("events"), "relayed in order once committed")

	err := st.WithinTx(ctx, func(ctx context.Context) error {
		require.NoError(t, publishIn(ctx, t, o, "events", "m-rolled-back"))
		return errors.New("the handler failed")
	})
	require.Error(t, err)
	assert.Equal(t, []string{"m-1", "m-2", "m-3"}, inner.uuids("events"), "a rolled-back message is never sent")

	require.NoError(t, publishIn(ctx, t, o, "events", "m-direct"), "outside a transaction")
	assert.Equal(t, []string{"m-1", "m-2", "m-3", "m-direct"}, inner.uuids("events"))

	out, err := dynamotest.Client(t).Scan(ctx, &dynamodb.ScanInput{
		TableName:      aws.String(strings.TrimSuffix(st.Tables()[0].Name, "commands") + "outbox"),
		ConsistentRead: aws.Bool(true),
	})
	require.NoError(t, err)
	assert.Empty(t, out.Items, "relayed messages were deleted from the outbox")
}

func TestOutboxSweepRelaysWhatTheCommitCouldNotAndKeepsDeadLettersWithTheirReason(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	inner := &innerTransport{unknown: map[string]bool{"gone": true}}
	o := newOutbox(t, st, inner)

	inner.setDown(true) // relaying after the commit fails
	written := []string{"m-1", "m-2", "m-3", "m-4", "m-5", "m-6"}
	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
		var errs []error
		for _, id := range written {
			errs = append(errs, publishIn(ctx, t, o, "events", id))
		}
		return errors.Join(errs...)
	}), "the commit succeeds although the relay after it fails")
	assert.Empty(t, inner.uuids("events"))
	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
		return publishIn(ctx, t, o, "gone", "m-undeliverable")
	}))

	n, err := o.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "younger than RelayAfter: left to the instance that wrote them")

	inner.setDown(false)
	require.Eventually(t, func() bool {
		_, err := o.Sweep(ctx)
		dead, derr := o.DeadLetters(ctx, dynamostore.OutboxDeadLetterQuery{Max: 1000})
		return err == nil && derr == nil && len(inner.uuids("events")) == len(written) && len(dead) == 1
	}, 20*time.Second, 200*time.Millisecond)
	assert.Equal(t, written, inner.uuids("events"), "a transaction's messages in the order they were written")

	dead, err := o.DeadLetters(ctx, dynamostore.OutboxDeadLetterQuery{Max: 1000})
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, "m-undeliverable", dead[0].Message.UUID)
	assert.Equal(t, "gone", dead[0].Destination)
	assert.Equal(t, "orders.Event", dead[0].Message.Metadata.Get("sf_type"))
	assert.Contains(t, dead[0].Reason, `publish to "gone": no such destination`)

	n, err = o.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "a dead letter is not tried again, and nothing was left behind")
	assert.Len(t, inner.uuids("events"), len(written))

	inner.mu.Lock()
	delete(inner.unknown, "gone") // the destination is back
	inner.mu.Unlock()
	back, err := o.Redrive(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, back)
	n, err = o.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"m-undeliverable"}, inner.uuids("gone"))
	dead, err = o.DeadLetters(ctx, dynamostore.OutboxDeadLetterQuery{Max: 1000})
	require.NoError(t, err)
	assert.Empty(t, dead)
}

// A message another instance holds (its lease runs) holds its destination:
// the messages behind it for that destination wait instead of overtaking
// it, while the shard's messages for another destination go out (by
// either instance: the other one relays them beside its held publish).
func TestOutboxSweepDoesNotOvertakeAMessageAnotherInstanceHolds(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	inner := &innerTransport{}
	o := newOutbox(t, st, inner)
	inner.setDown(true)
	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
		return errors.Join(publishIn(ctx, t, o, "events", "h-1"), publishIn(ctx, t, o, "audit", "a-1"),
			publishIn(ctx, t, o, "events", "h-2"))
	}))
	inner.setDown(false)

	stuck := &innerTransport{block: make(chan struct{}), entered: make(chan struct{}), blocked: "events"}
	other := newOutboxRelayingAfter(t, st, stuck, takeOverLease) // another instance of the service
	// It sweeps until h-1 is past its RelayAfter and it holds it.
	go func() {
		for {
			select {
			case <-stuck.entered:
				return
			default:
			}
			_, _ = other.Sweep(ctx)
		}
	}()
	select {
	case <-stuck.entered: // the other instance holds h-1 while it publishes
	case <-time.After(20 * time.Second):
		t.Fatal("the other instance never claimed h-1")
	}
	n, err := o.Sweep(ctx)
	require.NoError(t, err)
	assert.Empty(t, inner.uuids("events"), "h-2 does not overtake h-1")
	assert.Len(t, inner.uuids("audit"), n)
	require.Eventually(t, func() bool { return len(inner.uuids("audit"))+len(stuck.uuids("audit")) > 0 },
		20*time.Second, 20*time.Millisecond, "another destination goes on")
	assert.Equal(t, []string{"a-1"}, append(inner.uuids("audit"), stuck.uuids("audit")...), "a-1 went out once")
	close(stuck.block)
	// Its sweep relays h-2 behind h-1, or, if it gave up on h-1 when its
	// lease ended, a later sweep does once h-1's publish returned.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		if len(stuck.uuids("events")) < 2 {
			_, _ = other.Sweep(ctx)
		}
		assert.Len(c, stuck.uuids("events"), 2)
	}, 30*time.Second, 50*time.Millisecond)
	assert.Equal(t, []string{"h-1", "h-2"}, stuck.uuids("events"))
}

func TestOutboxRefusesOversizeMessagesAndTransactionsOfAnotherClient(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	inner := &innerTransport{}
	o := newOutbox(t, st, inner)

	err := st.WithinTx(ctx, func(ctx context.Context) error {
		require.NoError(t, publishIn(ctx, t, o, "events", "m-small"))
		pub, err := o.Publisher("events")
		require.NoError(t, err)
		big := message.NewMessage("m-big", make([]byte, 401<<10))
		big.SetContext(ctx)
		return pub.Publish("events", big)
	})
	require.ErrorIs(t, err, dynamostore.ErrTooLarge)
	assert.ErrorIs(t, err, sourceflow.ErrPermanent)
	assert.Contains(t, err.Error(), "m-big")
	assert.Empty(t, inner.uuids("events"), "the transaction rolled back whole")

	other := newStore(t) // on a client of its own
	err = other.WithinTx(ctx, func(ctx context.Context) error { return publishIn(ctx, t, o, "events", "m-foreign") })
	require.Error(t, err)
	assert.ErrorIs(t, err, sourceflow.ErrPermanent)
	assert.Contains(t, err.Error(), "another client")
	assert.Empty(t, inner.uuids("events"))
}

// NewOutbox provisions its table as the store's Config says: in validate
// mode a missing outbox table is drift naming it.
func TestNewOutboxProvisionsItsTableAsTheStoreSays(t *testing.T) {
	ctx := context.Background()
	api := dynamotest.Client(t)
	prefix := dynamotest.Prefix()
	st, err := dynamostore.New(ctx, dynamostore.Config{Client: api, TablePrefix: prefix})
	require.NoError(t, err)
	for _, tb := range append(st.Tables(), dynamostore.OutboxTable(dynamostore.Config{TablePrefix: prefix})) {
		dynamotest.DropTables(t, api, tb.Name)
	}
	validating, err := dynamostore.New(ctx, dynamostore.Config{Client: api, TablePrefix: prefix, Provisioning: topology.ProvisionValidate})
	require.NoError(t, err, "the store's own tables exist")
	_, err = dynamostore.NewOutbox(ctx, validating, dynamostore.OutboxConfig{Transport: &innerTransport{}, Name: "orders"})
	var drift *topology.DriftError
	require.ErrorAs(t, err, &drift)
	assert.Contains(t, err.Error(), "table "+prefix+"outbox: missing")

	_, err = dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{Transport: &innerTransport{}, Name: "orders"})
	require.NoError(t, err, "create mode creates it")
	_, err = dynamostore.NewOutbox(ctx, validating, dynamostore.OutboxConfig{Transport: &innerTransport{}, Name: "orders"})
	require.NoError(t, err, "and validate mode then finds it")
}

func TestOutboxConfigIsValidated(t *testing.T) {
	st := newStore(t)
	_, err := dynamostore.NewOutbox(context.Background(), st, dynamostore.OutboxConfig{RelayAfter: time.Millisecond})
	require.ErrorIs(t, err, dynamostore.ErrInvalidConfig)
	for _, want := range []string{"Transport is required", `Name ""`, "RelayAfter: 1ms"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestOutboxSweepsOnItsOwnUntilClosed(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	inner := &innerTransport{}
	o, err := dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{
		Transport: inner, Name: "orders", RelayAfter: time.Second, SweepInterval: 50 * time.Millisecond,
	})
	require.NoError(t, err)
	require.NoError(t, o.Bind(ctx, sourceflow.Binding{}))

	inner.setDown(true)
	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error { return publishIn(ctx, t, o, "events", "m-1") }))
	inner.setDown(false)
	require.Eventually(t, func() bool { return len(inner.uuids("events")) == 1 }, 20*time.Second, 20*time.Millisecond,
		"the sweep relays the message once it is older than RelayAfter")
	require.NoError(t, o.Close())
	require.NoError(t, o.Close(), "Close is idempotent")
	assert.ErrorIs(t, o.Bind(ctx, sourceflow.Binding{}), dynamostore.ErrOutboxClosed)
}
