package metrics_test

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// consumeOne runs msg through the consume-side middleware, which counts
// it as handled by h.
func consumeOne(t *testing.T, m *metrics.Metrics, msg *message.Message) {
	t.Helper()
	handled := false
	_, err := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		handled = true
		return nil, nil
	})(msg)
	require.NoError(t, err)
	require.True(t, handled, "the message reached the handler")
}

// A message sent two seconds before its handling starts records a
// critical time of at least two seconds, under the attributes of the other
// consume-side instruments (type and destination, no id).
func TestCriticalTimeIsFromSendingToHandling(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	msg := typed("orders.CreateOrder")
	msg.Metadata.Set(sourceflow.MetaOccurredAt, time.Now().Add(-2*time.Second).UTC().Format(time.RFC3339Nano))
	consumeOne(t, m, msg)

	got := collect(t, reader)
	data, ok := got[metrics.NameCriticalTime].Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a float histogram", metrics.NameCriticalTime)
	require.Len(t, data.DataPoints, 1)
	p := data.DataPoints[0]
	want := attrs(string(metrics.AttrType), "orders.CreateOrder", string(metrics.AttrDestination), "")
	assert.True(t, p.Attributes.Equals(&want), "attributes %v", p.Attributes.ToSlice())
	assert.Equal(t, uint64(1), p.Count)
	assert.GreaterOrEqual(t, p.Sum, 2.0)
	assert.Less(t, p.Sum, 60.0)
	assert.Equal(t, "s", got[metrics.NameCriticalTime].Unit)
}

// A message without a sending time, with one that is not RFC 3339, with
// one far in the future or with Go's zero time (an envelope written
// without its time, which would add some 63 billion seconds to the
// histogram's sum) records no critical time, and is handled and counted as
// any other.
func TestCriticalTimeSkipsMissingBadAndFutureTimes(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	for _, at := range []string{"", "yesterday", time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano),
		time.Time{}.Format(time.RFC3339Nano)} {
		msg := typed("orders.CreateOrder")
		if at != "" {
			msg.Metadata.Set(sourceflow.MetaOccurredAt, at)
		}
		consumeOne(t, m, msg)
	}

	got := collect(t, reader)
	assert.Zero(t, got.points(metrics.NameCriticalTime), "no critical time recorded")
	base := attrs(string(metrics.AttrType), "orders.CreateOrder", string(metrics.AttrDestination), "")
	received, _ := got.sum(metrics.NameMessageReceived, base)
	assert.Equal(t, int64(4), received)
	success := attrs(string(metrics.AttrType), "orders.CreateOrder", string(metrics.AttrDestination), "",
		string(metrics.AttrOutcome), metrics.OutcomeSuccess)
	processed, _ := got.sum(metrics.NameMessageProcessed, success)
	assert.Equal(t, int64(4), processed)
}

// A message dated a little ahead of the consumer's clock (its sender's
// clock runs fast) records a critical time of zero rather than none, so
// a skew of a few seconds does not drop the quickly handled messages and
// leave the histogram with the slow ones only.
func TestCriticalTimeOfAMessageDatedWithinTheClockSkewIsZero(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	msg := typed("orders.CreateOrder")
	msg.Metadata.Set(sourceflow.MetaOccurredAt, time.Now().Add(2*time.Second).UTC().Format(time.RFC3339Nano))
	consumeOne(t, m, msg)

	got := collect(t, reader)
	data, ok := got[metrics.NameCriticalTime].Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a float histogram", metrics.NameCriticalTime)
	require.Len(t, data.DataPoints, 1)
	assert.Equal(t, uint64(1), data.DataPoints[0].Count)
	assert.Zero(t, data.DataPoints[0].Sum)
}
