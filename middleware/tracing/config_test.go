package tracing_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

func TestConfigValidate(t *testing.T) {
	err := tracing.Config{}.Validate()
	require.ErrorIs(t, err, tracing.ErrInvalidConfig)
	for _, field := range []string{"TracerProvider", "Propagator", "MessagingSystem", "InstrumentationScope"} {
		assert.ErrorContains(t, err, field)
	}
}

// A provider variable declared but never assigned is refused, naming the
// field, instead of panicking on the first span.
func TestConfigValidateRefusesTypedNils(t *testing.T) {
	var provider *sdktrace.TracerProvider
	_, err := tracing.New(tracing.Config{TracerProvider: provider})
	require.ErrorIs(t, err, tracing.ErrInvalidConfig)
	assert.ErrorContains(t, err, "TracerProvider: nil *trace.TracerProvider, must be non-nil or left unset")
}

// EventMessagingSystem may be left empty (it stands for MessagingSystem),
// also in a Config validated without New.
func TestConfigValidateTakesAnEmptyEventMessagingSystem(t *testing.T) {
	cfg := tracing.Config{TracerProvider: noop.NewTracerProvider(), Propagator: propagation.TraceContext{},
		MessagingSystem: tracing.SystemAWSSQS, InstrumentationScope: "billing"}
	require.NoError(t, cfg.Validate())
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
