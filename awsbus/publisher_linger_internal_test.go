package awsbus

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// lingerRig is a Publisher lingering longer than any test runs, so only a
// full batch or Close ends a linger: the tests need no clock.
func lingerRig(t *testing.T) *laneRig {
	t.Helper()
	r := newLaneRig(t)
	close(r.gate.release) // calls go through
	r.pub.cfg.Linger = time.Hour
	return r
}

func TestPublishLingerSendsAFullBatchAtOnceInOneCall(t *testing.T) {
	r := lingerRig(t)
	results := r.publishAsync(context.Background(), ids("m", maxBatchEntries))
	for id, err := range results() {
		assert.NoError(t, err, id)
	}
	assert.Len(t, r.sentIDs(), maxBatchEntries)
	assert.Equal(t, 0, r.fake.Faults.Calls("SendMessage"))
	assert.Equal(t, 1, r.fake.Faults.Calls("SendMessageBatch"), "ten single publishes, one call")
}

func TestPublishLingerSendsWhatLingersWhenClosed(t *testing.T) {
	r := lingerRig(t)
	results := r.publishAsync(context.Background(), ids("m", 3))
	r.waitQueued(t, 3)
	require.Zero(t, r.fake.Faults.Calls("SendMessage")+r.fake.Faults.Calls("SendMessageBatch"), "they linger")
	require.NoError(t, r.pub.Close())
	for id, err := range results() {
		assert.NoError(t, err, id, "a lingering publish is sent, not dropped, on Close")
	}
	assert.Len(t, r.sentIDs(), 3)
	assert.Equal(t, 1, r.fake.Faults.Calls("SendMessageBatch"))
	assert.ErrorIs(t, r.pub.Publish("orders", laneCommand(context.Background(), "late")), ErrPublisherClosed)
}

func TestPublishLingerIsBounded(t *testing.T) {
	base := PublisherConfig{SQS: newLaneRig(t).fake, Resolve: func(string) (topology.Endpoint, error) { return topology.Endpoint{}, nil }}
	for _, d := range []time.Duration{-time.Millisecond, MaxPublishLinger + time.Millisecond} {
		cfg := base
		cfg.Linger = d
		_, err := NewPublisher(cfg)
		require.ErrorIs(t, err, ErrInvalidConfig, "%v", d)
		assert.Contains(t, err.Error(), "Linger")
		require.ErrorContains(t, Config{PublishLinger: d}.Validate(), "PublishLinger")
	}
	cfg := base
	cfg.Linger = MaxPublishLinger
	_, err := NewPublisher(cfg)
	require.NoError(t, err)
}

func TestPublishLingerHonoursTheContextOfALingeringPublish(t *testing.T) {
	r := lingerRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	results := r.publishAsync(ctx, []string{"gone"})
	r.waitQueued(t, 1)
	cancel()
	err := results()["gone"]
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not sent: context canceled while waiting for a call slot")
	require.NoError(t, r.pub.Close()) // ends the linger: nothing is left to send
	assert.Never(t, func() bool { return len(r.sentIDs()) > 0 }, 100*time.Millisecond, 10*time.Millisecond,
		"a publish given up while lingering is not sent")
	assert.Zero(t, r.fake.Faults.Calls("SendMessage")+r.fake.Faults.Calls("SendMessageBatch"))
}

func TestPublishLingerSendsWhenTheLingerEnds(t *testing.T) {
	r := newLaneRig(t)
	close(r.gate.release)
	r.pub.cfg.Linger = time.Millisecond
	for id, err := range r.publishAsync(context.Background(), ids("m", 3))() {
		assert.NoError(t, err, id)
	}
	assert.Len(t, r.sentIDs(), 3, "sent when the linger ended, with no full batch and no Close")
}
