package awsbus_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// switchableCircuits reports the circuits the test sets.
type switchableCircuits struct {
	mu    sync.Mutex
	state sourceflow.CircuitState
}

func (s *switchableCircuits) set(st sourceflow.CircuitState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = st
}

func (s *switchableCircuits) Circuits() []sourceflow.Circuit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return []sourceflow.Circuit{
		{Destination: "order-events", State: s.state},
		{Destination: "orders.fifo", State: sourceflow.CircuitClosed},
	}
}

func TestTransport_HealthReportsPublishCircuits(t *testing.T) {
	circuits := &switchableCircuits{}
	tr, _, _ := healthTransport(t, awsbus.Config{Circuits: circuits})
	tests := []struct {
		state  sourceflow.CircuitState
		status topology.HealthStatus
		code   int
	}{
		{sourceflow.CircuitClosed, topology.HealthUp, http.StatusOK},
		{sourceflow.CircuitHalfOpen, topology.HealthUp, http.StatusOK},
		{sourceflow.CircuitOpen, topology.HealthDegraded, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.state.String(), func(t *testing.T) {
			circuits.set(tt.state)
			rep := tr.Health(t.Context())
			assert.Equal(t, tt.status, rep.Status)
			assert.Equal(t, circuits.Circuits(), rep.Circuits)

			rec := httptest.NewRecorder()
			awsbus.HealthHandler(tr).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			require.Equal(t, tt.code, rec.Code)
			assert.Contains(t, rec.Body.String(), `{"destination":"order-events","state":"`+tt.state.String()+`"}`)
		})
	}
}

func TestTransport_HealthWithoutCircuitsOmitsThem(t *testing.T) {
	tr, _, _ := healthTransport(t, awsbus.Config{})
	rep := tr.Health(t.Context())
	assert.Nil(t, rep.Circuits)
	rec := httptest.NewRecorder()
	awsbus.HealthHandler(tr).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.NotContains(t, rec.Body.String(), "circuits")
}
