package metrics_test

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

func TestConfigValidate(t *testing.T) {
	tests := map[string]struct {
		cfg    metrics.Config
		fields []string
	}{
		"negative durations": {
			cfg:    metrics.Config{DepthInterval: -time.Second},
			fields: []string{"DepthInterval", "DepthTimeout"},
		},
		"nil sources": {
			cfg: metrics.Config{
				KMS:          []metrics.KMSStatsSource{nil},
				Duplicates:   []metrics.DuplicateSource{metrics.DuplicatesFunc(func() int64 { return 0 }), nil},
				Circuits:     []metrics.CircuitSource{nil},
				StoreRetries: []metrics.StoreRetrySource{metrics.StoreRetriesFunc(func() (int64, int64) { return 0, 0 }), nil},
				DeadLetters:  []metrics.DeadLetterSource{nil},
				HandlerRetries: []metrics.HandlerRetrySource{
					metrics.HandlerRetriesFunc(func() (int64, int64) { return 0, 0 }), nil},
			},
			fields: []string{"KMS[0]", "Duplicates[1]", "Circuits[0]", "StoreRetries[1]", "DeadLetters[0]", "HandlerRetries[1]"},
		},
		"typed nils": {
			cfg: metrics.Config{
				MeterProvider: (*sdkmetric.MeterProvider)(nil),
				Logger:        (*watermill.StdLoggerAdapter)(nil),
				Circuits:      []metrics.CircuitSource{(*middleware.CircuitBreaker)(nil)},
				DeadLetters: []metrics.DeadLetterSource{
					metrics.DeadLettersFunc(func() map[string]int64 { return nil }), (*cqrs.ChannelTransport)(nil)},
				HandlerRetries: []metrics.HandlerRetrySource{metrics.HandlerRetriesFunc(nil)},
			},
			fields: []string{"MeterProvider: nil *metric.MeterProvider", "Logger: nil *watermill.StdLoggerAdapter", "Circuits[0]",
				"DeadLetters[1]", "HandlerRetries[0]"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.cfg.Validate()
			require.ErrorIs(t, err, metrics.ErrInvalidConfig)
			for _, f := range tc.fields {
				assert.ErrorContains(t, err, f)
			}
		})
	}
}

// TestZeroConfigIsValid checks that zero fields stand for their defaults.
func TestZeroConfigIsValid(t *testing.T) {
	require.NoError(t, metrics.Config{}.Validate())
	require.NoError(t, metrics.Config{DepthInterval: time.Second}.Validate(), "DepthTimeout defaults to DepthInterval")
	m, err := metrics.New(metrics.Config{})
	require.NoError(t, err)
	require.NoError(t, m.Close())
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	tests := map[string]struct {
		cfg   metrics.Config
		field string
	}{
		"negative interval":        {cfg: metrics.Config{DepthInterval: -time.Second}, field: "DepthInterval"},
		"timeout beyond interval":  {cfg: metrics.Config{DepthInterval: time.Second, DepthTimeout: time.Minute}, field: "DepthTimeout"},
		"nil duplicate source":     {cfg: metrics.Config{Duplicates: []metrics.DuplicateSource{nil}}, field: "Duplicates[0]"},
		"nil store retry source":   {cfg: metrics.Config{StoreRetries: []metrics.StoreRetrySource{nil}}, field: "StoreRetries[0]"},
		"nil dead-letter source":   {cfg: metrics.Config{DeadLetters: []metrics.DeadLetterSource{(*cqrs.PubSubTransport)(nil)}}, field: "DeadLetters[0]"},
		"nil handler retry source": {cfg: metrics.Config{HandlerRetries: []metrics.HandlerRetrySource{nil}}, field: "HandlerRetries[0]"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := metrics.New(tc.cfg)
			require.ErrorIs(t, err, metrics.ErrInvalidConfig)
			assert.ErrorContains(t, err, tc.field)
			assert.Nil(t, m)
		})
	}
}

func TestInstrumentationScope(t *testing.T) {
	for name, tc := range map[string]struct{ scope, want string }{
		"default": {"", sourceflow.InstrumentationScope},
		"custom":  {"billing", "billing"},
	} {
		t.Run(name, func(t *testing.T) {
			reader := sdkReader(t)
			m, err := metrics.New(metrics.Config{MeterProvider: reader.provider, InstrumentationScope: tc.scope})
			require.NoError(t, err)
			_, err = m.Middleware(okHandler)(typed("orders.A"))
			require.NoError(t, err)
			assert.Equal(t, []string{tc.want}, reader.scopes(t))
		})
	}
}
