package tracing_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

func TestConfigValidate(t *testing.T) {
	err := tracing.Config{}.Validate()
	require.ErrorIs(t, err, tracing.ErrInvalidConfig)
	for _, field := range []string{"TracerProvider", "Propagator", "MessagingSystem", "EventMessagingSystem", "InstrumentationScope"} {
		assert.ErrorContains(t, err, field)
	}
}

func TestNewAppliesDefaults(t *testing.T) {
	tr, err := tracing.New(tracing.Config{})
	require.NoError(t, err)
	assert.NotNil(t, tr)
}

func TestInstrumentationScope(t *testing.T) {
	tests := map[string]struct {
		scope string
		want  string
	}{
		"default": {scope: "", want: sourceflow.InstrumentationScope},
		"custom":  {scope: "billing", want: "billing"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr, _, rec := recordingTracing(t, tracing.Config{InstrumentationScope: tc.scope})
			pub, err := tr.DecoratePublisher(&capturePublisher{})
			require.NoError(t, err)
			require.NoError(t, pub.Publish("orders", message.NewMessage("u-1", nil)))
			assert.Equal(t, tc.want, spanNamed(t, rec, "send orders").InstrumentationScope().Name)
		})
	}
}
