package sourceflow_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

func TestCircuitStateNamesAndJSON(t *testing.T) {
	tests := []struct {
		state sourceflow.CircuitState
		name  string
		gauge int
	}{
		{sourceflow.CircuitClosed, "closed", 0},
		{sourceflow.CircuitHalfOpen, "half-open", 1},
		{sourceflow.CircuitOpen, "open", 2},
		{sourceflow.CircuitState(7), "CircuitState(7)", 7},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.name, tt.state.String())
		assert.Equal(t, tt.gauge, int(tt.state), "the gauge value of %s", tt.name)
	}
	b, err := json.Marshal(sourceflow.Circuit{Destination: "orders.fifo", State: sourceflow.CircuitOpen})
	require.NoError(t, err)
	assert.JSONEq(t, `{"destination":"orders.fifo","state":"open"}`, string(b))

	src := sourceflow.CircuitsFunc(func() []sourceflow.Circuit { return []sourceflow.Circuit{{Destination: "d"}} })
	assert.Equal(t, []sourceflow.Circuit{{Destination: "d", State: sourceflow.CircuitClosed}}, src.Circuits())
}
