package metrics_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// circuits is a CircuitSource whose states the test changes.
type circuits struct {
	mu   sync.Mutex
	list []sourceflow.Circuit
}

func (c *circuits) set(list ...sourceflow.Circuit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = list
}

func (c *circuits) Circuits() []sourceflow.Circuit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sourceflow.Circuit(nil), c.list...)
}

func circuitGauge(t *testing.T, got collected, dest string) int64 {
	t.Helper()
	n, found := got.sum(metrics.NameCircuitState, attrs("messaging.destination.name", dest))
	assert.True(t, found, "no %s point for %s", metrics.NameCircuitState, dest)
	return n
}

func TestCircuitStateGaugeFollowsTheSource(t *testing.T) {
	src := &circuits{}
	src.set(sourceflow.Circuit{Destination: "orders.fifo", State: sourceflow.CircuitClosed},
		sourceflow.Circuit{Destination: "order-events", State: sourceflow.CircuitOpen})
	_, reader := recordingMetrics(t, metrics.Config{Circuits: []metrics.CircuitSource{src}})

	got := collect(t, reader)
	assert.Equal(t, int64(0), circuitGauge(t, got, "orders.fifo"))
	assert.Equal(t, int64(2), circuitGauge(t, got, "order-events"))

	src.set(sourceflow.Circuit{Destination: "orders.fifo", State: sourceflow.CircuitHalfOpen},
		sourceflow.Circuit{Destination: "order-events", State: sourceflow.CircuitClosed})
	got = collect(t, reader)
	assert.Equal(t, int64(1), circuitGauge(t, got, "orders.fifo"), "read at every collection")
	assert.Equal(t, int64(0), circuitGauge(t, got, "order-events"))
}

func TestCircuitStateGaugeKeepsTheWorstStatePerDestination(t *testing.T) {
	open := sourceflow.CircuitsFunc(func() []sourceflow.Circuit {
		return []sourceflow.Circuit{{Destination: "orders.fifo", State: sourceflow.CircuitOpen}}
	})
	closed := sourceflow.CircuitsFunc(func() []sourceflow.Circuit {
		return []sourceflow.Circuit{{Destination: "orders.fifo", State: sourceflow.CircuitClosed}}
	})
	_, reader := recordingMetrics(t, metrics.Config{Circuits: []metrics.CircuitSource{open, closed}})
	assert.Equal(t, int64(2), circuitGauge(t, collect(t, reader), "orders.fifo"))
}

func TestNoCircuitGaugeWithoutSource(t *testing.T) {
	_, reader := recordingMetrics(t, metrics.Config{})
	assert.NotContains(t, collect(t, reader), metrics.NameCircuitState)
}
