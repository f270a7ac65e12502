package metrics_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// overflowKey marks the series into which the SDK folds the attribute sets
// past its cardinality limit (2000 per instrument by default).
const overflowKey = attribute.Key("otel.metric.overflow")

// overflowed reports whether instrument name has an overflow series.
func (c collected) overflowed(name string) bool {
	var sets []attribute.Set
	switch data := c[name].Data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range data.DataPoints {
			sets = append(sets, p.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, p := range data.DataPoints {
			sets = append(sets, p.Attributes)
		}
	}
	for _, s := range sets {
		if s.HasValue(overflowKey) {
			return true
		}
	}
	return false
}

// total sums every point of the int64 sum name.
func (c collected) total(name string) int64 {
	var n int64
	if data, ok := c[name].Data.(metricdata.Sum[int64]); ok {
		for _, p := range data.DataPoints {
			n += p.Value
		}
	}
	return n
}

// Junk types on one destination, each seen with two outcomes, stay under
// the SDK's default cardinality limit: every message is counted, none in
// the SDK's overflow series.
func TestJunkTypesOnADestinationStayUnderTheSDKLimit(t *testing.T) {
	const junk = 1100
	m, reader := recordingMetrics(t, metrics.Config{})
	fail := errors.New("unknown type")
	for i := range junk {
		typ := fmt.Sprintf("junk.T%d", i)
		_, err := m.Middleware(okHandler)(typed(typ))
		require.NoError(t, err)
		_, err = m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, fail })(typed(typ))
		require.ErrorIs(t, err, fail)
	}

	got := collect(t, reader)
	for _, name := range []string{metrics.NameMessageReceived, metrics.NameMessageProcessed, metrics.NameMessageProcessingDuration} {
		assert.False(t, got.overflowed(name), "%s has an overflow series", name)
	}
	assert.Equal(t, int64(2*junk), got.total(metrics.NameMessageProcessed), "every message is counted")
	n, _ := got.sum(metrics.NameMessageProcessed, attrs("sourceflow.type", metrics.OtherType,
		"messaging.destination.name", "", "sourceflow.outcome", "success"))
	assert.Positive(t, n, "the types past the bound are counted as other")
}

// Junk types spread over many destinations stay under the SDK's default
// cardinality limit too.
func TestJunkTypesOnEveryDestinationStayUnderTheSDKLimit(t *testing.T) {
	const destinations, junk = 5, 500
	m, reader := recordingMetrics(t, metrics.Config{})
	pub, err := m.DecoratePublisherAs(sourceflow.KindEvent)(&fakePublisher{})
	require.NoError(t, err)
	for d := range destinations {
		for i := range junk {
			require.NoError(t, pub.Publish(fmt.Sprintf("dest-%d", d), typed(fmt.Sprintf("junk.T%d", i))))
		}
	}

	got := collect(t, reader)
	assert.False(t, got.overflowed(metrics.NameEventPublished))
	assert.False(t, got.overflowed(metrics.NameEventPublishDuration))
	assert.Equal(t, int64(destinations*junk), got.total(metrics.NameEventPublished), "every message is counted")
}

// A type too long to be a registered name, or not valid UTF-8, is recorded
// as OtherType: its text is neither kept nor exported.
func TestOverlongOrInvalidTypesAreRecordedAsOther(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	pub, err := m.DecoratePublisherAs(sourceflow.KindEvent)(&fakePublisher{})
	require.NoError(t, err)

	for _, typ := range []string{strings.Repeat("x", 10_000), "orders.\xff\xfe", "orders.OrderCreated"} {
		require.NoError(t, pub.Publish("orders", typed(typ)))
	}

	got := collect(t, reader)
	n, _ := got.sum(metrics.NameEventPublished, attrs("sourceflow.type", metrics.OtherType, "messaging.destination.name", "orders"))
	assert.Equal(t, int64(2), n)
	n, _ = got.sum(metrics.NameEventPublished, attrs("sourceflow.type", "orders.OrderCreated", "messaging.destination.name", "orders"))
	assert.Equal(t, int64(1), n, "a plausible type keeps its own series")
	assert.Equal(t, 2, got.points(metrics.NameEventPublished))
}

// A type past the bounds is recorded through its destination's OtherType
// sets, found as cheaply as a type with series of its own: a flood of junk
// types builds no attribute sets per message and takes no write lock.
func TestATypePastTheBoundsCostsNoMoreThanAnAdmittedOne(t *testing.T) {
	m, _ := recordingMetrics(t, metrics.Config{})
	pub, err := m.DecoratePublisherAs(sourceflow.KindEvent)(&fakePublisher{})
	require.NoError(t, err)
	for i := range 128 { // the bound of one destination
		require.NoError(t, pub.Publish("orders", typed(fmt.Sprintf("orders.T%d", i))))
	}
	admitted, past := typed("orders.T0"), typed("junk.past")
	require.NoError(t, pub.Publish("orders", past)) // builds the destination's OtherType sets

	base := testing.AllocsPerRun(100, func() { _ = pub.Publish("orders", admitted) })
	junk := testing.AllocsPerRun(100, func() { _ = pub.Publish("orders", past) })
	assert.LessOrEqual(t, junk, base, "a type past the bounds builds nothing per message")
}

// Goroutines recording new types on several destinations at once admit no
// more series than the bounds allow, and count every message.
func TestConcurrentNewTypesStayWithinTheBounds(t *testing.T) {
	const goroutines, perGoroutine, destinations = 8, 300, 5
	m, reader := recordingMetrics(t, metrics.Config{})
	pub, err := m.DecoratePublisherAs(sourceflow.KindEvent)(discardPublisher{})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				msg := typed(fmt.Sprintf("junk.T%d", (i*goroutines+g)%600))
				_ = pub.Publish(fmt.Sprintf("dest-%d", i%destinations), msg)
			}
		})
	}
	wg.Wait()

	got := collect(t, reader)
	assert.Equal(t, int64(goroutines*perGoroutine), got.total(metrics.NameEventPublished), "every message is counted")
	assert.LessOrEqual(t, got.points(metrics.NameEventPublished), 400+destinations, "400 types in all, and one other per destination")
}

// discardPublisher accepts every message; it keeps no state, so goroutines
// may share it.
type discardPublisher struct{}

func (discardPublisher) Publish(string, ...*message.Message) error { return nil }
func (discardPublisher) Close() error                              { return nil }
