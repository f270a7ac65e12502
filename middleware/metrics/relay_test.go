package metrics_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// relayOnce runs one relay attempt of a message sent at (none when empty)
// through obs, ending with err.
func relayOnce(obs sourceflow.RelayObserver, at string, err error) {
	md := map[string]string{}
	if at != "" {
		md[sourceflow.MetaOccurredAt] = at
	}
	_, done := obs.Relay(context.Background(), sourceflow.Relayed{Outbox: "outbox_orders", Destination: "billing", Metadata: md})
	done(err)
}

// Each attempt records the message's age; one that went out counts as
// relayed, one that failed as a failure of its kind, all by outbox and
// destination. A message without a valid sending time records no age.
func TestRelayObserverCountsAndAges(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	obs := m.RelayObserver()
	old := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339Nano)
	relayOnce(obs, old, errors.New("queue unavailable"))
	relayOnce(obs, old, nil)
	relayOnce(obs, "", sourceflow.Permanent(errors.New("no such queue")))
	relayOnce(obs, "not a time", nil)

	got := collect(t, reader)
	base := []string{string(metrics.AttrOutbox), "outbox_orders", string(metrics.AttrDestination), "billing"}
	relayed, _ := got.sum(metrics.NameOutboxRelayed, attrs(base...))
	assert.Equal(t, int64(2), relayed)
	transient, _ := got.sum(metrics.NameOutboxRelayFailures, attrs(append(base, string(metrics.AttrErrorType), "transient")...))
	assert.Equal(t, int64(1), transient)
	permanent, _ := got.sum(metrics.NameOutboxRelayFailures, attrs(append(base, string(metrics.AttrErrorType), "permanent")...))
	assert.Equal(t, int64(1), permanent)
	ages, ok := got.histogramCount(metrics.NameOutboxRelayAge, attrs(base...))
	require.True(t, ok, "ages recorded")
	assert.Equal(t, uint64(2), ages, "the two attempts of the message with a sending time")
	assert.Equal(t, "s", got[metrics.NameOutboxRelayAge].Unit)
}

// An attempt whose publish panics, run through sourceflow.RunRelay, counts
// as a failure; the panic goes on.
func TestRelayObserverCountsAPanickedPublishAsAFailure(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	_, done := m.RelayObserver().Relay(context.Background(),
		sourceflow.Relayed{Outbox: "outbox_orders", Destination: "billing", Metadata: map[string]string{}})

	assert.PanicsWithValue(t, "transport bug", func() {
		_ = sourceflow.RunRelay(func() error { panic("transport bug") }, done)
	})

	got := collect(t, reader)
	base := []string{string(metrics.AttrOutbox), "outbox_orders", string(metrics.AttrDestination), "billing"}
	failed, _ := got.sum(metrics.NameOutboxRelayFailures, attrs(append(base, string(metrics.AttrErrorType), "transient")...))
	assert.Equal(t, int64(1), failed)
	_, relayed := got.sum(metrics.NameOutboxRelayed, attrs(base...))
	assert.False(t, relayed, "nothing counted as relayed")
}
