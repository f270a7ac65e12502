package awsbus

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// gatedSQS holds every send call until release is closed, so a test can
// fill a destination's call slots and lane.
type gatedSQS struct {
	SQSAPI
	entered chan struct{}
	release chan struct{}
}

func (g *gatedSQS) SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.SQSAPI.SendMessage(ctx, in, opts...)
}

func (g *gatedSQS) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.SQSAPI.SendMessageBatch(ctx, in, opts...)
}

// laneRig is a Publisher on a gated fake queue.
type laneRig struct {
	fake *awsbustest.SQS
	gate *gatedSQS
	pub  *Publisher
	ep   topology.Endpoint
}

func newLaneRig(t *testing.T) *laneRig {
	t.Helper()
	fake := awsbustest.NewSQS(awsbustest.SQSConfig{})
	q, err := fake.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("orders")})
	require.NoError(t, err)
	r := &laneRig{fake: fake, gate: &gatedSQS{SQSAPI: fake, entered: make(chan struct{}, 100), release: make(chan struct{})},
		ep: topology.Endpoint{Name: "orders", Kind: sourceflow.KindCommand, QueueURL: *q.QueueUrl}}
	r.pub, err = NewPublisher(PublisherConfig{SQS: r.gate, Resolve: func(string) (topology.Endpoint, error) { return r.ep, nil }})
	require.NoError(t, err)
	return r
}

func laneCommand(ctx context.Context, id string) *message.Message {
	msg := message.NewMessage("uuid-"+id, []byte(`{"id":"`+id+`"}`))
	msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	msg.Metadata.Set(sourceflow.MetaMessageID, id)
	msg.Metadata.Set(sourceflow.MetaEntityID, "e")
	msg.SetContext(ctx)
	return msg
}

// publishAsync publishes one message per id, each from its own goroutine,
// and returns the errors by id once all returned.
func (r *laneRig) publishAsync(ctx context.Context, ids []string) func() map[string]error {
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := map[string]error{}
	for _, id := range ids {
		wg.Go(func() {
			err := r.pub.Publish("orders", laneCommand(ctx, id))
			mu.Lock()
			errs[id] = err
			mu.Unlock()
		})
	}
	return func() map[string]error { wg.Wait(); return errs }
}

// fillSlots starts maxCallsPerDestination publishes, one after the other,
// each once the previous is held inside its call (started together, one
// call could take two of them), and returns their results.
func (r *laneRig) fillSlots(t *testing.T) func() map[string]error {
	t.Helper()
	var waits []func() map[string]error
	for i := range maxCallsPerDestination {
		waits = append(waits, r.publishAsync(context.Background(), []string{fmt.Sprintf("slot-%d", i)}))
		<-r.gate.entered
	}
	return func() map[string]error {
		all := map[string]error{}
		for _, w := range waits {
			maps.Copy(all, w())
		}
		return all
	}
}

// waitQueued waits until n publishes wait in the lane.
func (r *laneRig) waitQueued(t *testing.T, n int) {
	t.Helper()
	l := r.pub.lane(r.ep)
	require.Eventually(t, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.waiting) == n
	}, 10*time.Second, time.Millisecond, "%d publishes waiting in the lane", n)
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

func (r *laneRig) sentIDs() map[string]bool {
	got := map[string]bool{}
	for _, m := range r.fake.Messages(r.ep.QueueURL) {
		got[strings.TrimSuffix(strings.TrimPrefix(m.Body, `{"id":"`), `"}`)] = true
	}
	return got
}

func TestPublisherCoalescesSinglePublishesWhileCallsAreInFlight(t *testing.T) {
	r := newLaneRig(t)
	slots := r.fillSlots(t)
	queued := r.publishAsync(context.Background(), ids("q", 20))
	r.waitQueued(t, 20)
	close(r.gate.release)

	for id, err := range slots() {
		assert.NoError(t, err, id)
	}
	for id, err := range queued() {
		assert.NoError(t, err, id)
	}
	sent := r.sentIDs()
	for _, id := range append(ids("slot", maxCallsPerDestination), ids("q", 20)...) {
		assert.True(t, sent[id], "message %s sent", id)
	}
	assert.Equal(t, maxCallsPerDestination, r.fake.Faults.Calls("SendMessage"), "the first publishes leave at once, one call each")
	assert.Equal(t, 2, r.fake.Faults.Calls("SendMessageBatch"), "the 20 that waited leave in two batches of 10")
}

func TestPublisherCoalescedBatchReportsEachFailureToItsPublisher(t *testing.T) {
	r := newLaneRig(t)
	slots := r.fillSlots(t)
	queued := r.publishAsync(context.Background(), ids("q", 3))
	r.waitQueued(t, 3)
	r.fake.Faults.FailNextEntries("SendMessageBatch", 1)
	close(r.gate.release)

	for id, err := range slots() {
		assert.NoError(t, err, id)
	}
	var failed []string
	for id, err := range queued() {
		if err == nil {
			continue
		}
		failed = append(failed, id)
		var pe *PublishError
		require.ErrorAs(t, err, &pe)
		require.Len(t, pe.Failed, 1, "only its own message is reported")
		assert.Equal(t, "uuid-"+id, pe.Failed[0].UUID)
		assert.ErrorIs(t, err, ErrPublishFailed)
	}
	require.Len(t, failed, 1, "one entry of the batch failed")
	sent := r.sentIDs()
	assert.False(t, sent[failed[0]], "the failed message was not sent")
	assert.Len(t, sent, maxCallsPerDestination+2, "every other message was sent")
}

func TestPublisherWaitingPublishEndsWithItsContextAndSendsNothing(t *testing.T) {
	r := newLaneRig(t)
	slots := r.fillSlots(t)
	ctx, cancel := context.WithCancel(context.Background())
	waiting := r.publishAsync(ctx, []string{"cancelled"})
	r.waitQueued(t, 1)
	cancel()
	err := waiting()["cancelled"]
	require.ErrorIs(t, err, ErrPublishFailed)
	assert.Contains(t, err.Error(), "not sent: context canceled while waiting for a call slot")
	r.waitQueued(t, 0)

	close(r.gate.release)
	for id, err := range slots() {
		assert.NoError(t, err, id)
	}
	sent := r.sentIDs()
	assert.False(t, sent["cancelled"])
	assert.Len(t, sent, maxCallsPerDestination)
}

func TestLaneTakeKeepsBatchWithinEntriesAndBytes(t *testing.T) {
	l := &lane{}
	for i := range 25 {
		l.waiting = append(l.waiting, &waiter{o: outgoing{wire: wireMessage{uuid: fmt.Sprint(i), body: strings.Repeat("x", 100)}}})
	}
	assert.Len(t, l.take(1<<20), maxBatchEntries, "at most 10 entries")
	assert.Len(t, l.take(250), 2, "at most limit bytes")
	assert.Len(t, l.take(50), 1, "a message alone over the limit still leaves")
	assert.Len(t, l.waiting, 12)
	assert.Equal(t, "13", l.waiting[0].o.wire.uuid, "oldest first")
}

func TestLaneTakeCarriesOneMessagePerFIFOGroup(t *testing.T) {
	l := &lane{}
	for _, id := range []string{"a1", "a2", "b1", "a3", "c1", "b2"} {
		l.waiting = append(l.waiting, &waiter{o: outgoing{wire: wireMessage{uuid: id, body: "x"}, group: id[:1]}})
	}
	uuids := func(ws []*waiter) []string {
		var out []string
		for _, w := range ws {
			out = append(out, w.o.wire.uuid)
		}
		return out
	}
	assert.Equal(t, []string{"a1", "b1", "c1"}, uuids(l.take(1<<20)), "one message of each group per call")
	assert.Equal(t, []string{"a2", "a3", "b2"}, uuids(l.waiting), "the others wait, in order")
	assert.Equal(t, []string{"a2", "b2"}, uuids(l.take(1<<20)))
	assert.Equal(t, []string{"a3"}, uuids(l.take(1<<20)))
}

func TestBatchContextOutlivesOneWaiterAndKeepsTheLatestDeadline(t *testing.T) {
	soon := time.Now().Add(time.Hour)
	first, cancelFirst := context.WithDeadline(context.Background(), soon.Add(-time.Minute))
	second, cancelSecond := context.WithDeadline(context.Background(), soon)
	defer cancelSecond()
	third, cancelThird := context.WithDeadline(context.Background(), soon.Add(time.Hour))
	defer cancelThird()
	batch := []*waiter{{o: outgoing{ctx: first}}, {o: outgoing{ctx: second}}, {o: outgoing{ctx: third}}}
	ctx, cancel := batchContext(batch)
	defer cancel()
	cancelFirst()
	assert.NoError(t, ctx.Err(), "the oldest waiter giving up does not fail the others' call")
	deadline, ok := ctx.Deadline()
	require.True(t, ok)
	assert.Equal(t, soon.Add(time.Hour), deadline, "bounded by the latest deadline")
}
