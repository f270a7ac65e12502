package metrics_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// secretPanic panics with a value holding a card number, as a bug in a
// source might.
func secretPanic() {
	panic(&struct{ Card string }{Card: "4111111111111111"})
}

// A source that panics while the SDK collects (a bug in it) fails its own
// observation, logged once with its stack and the value described by its
// type only; the other instruments are reported and the collection
// succeeds. The SDK does not recover a callback's panic: it would end the
// process from the reader's goroutine.
func TestObservableSourcePanicFailsItsObservationOnly(t *testing.T) {
	tests := []struct {
		name       string
		cfg        metrics.Config
		instrument string
	}{
		{"kms", metrics.Config{KMS: []metrics.KMSStatsSource{metrics.KMSStatsFunc(func() metrics.KMSCounts {
			secretPanic()
			return metrics.KMSCounts{}
		})}}, metrics.NameKMSCalls},
		{"circuits", metrics.Config{Circuits: []metrics.CircuitSource{sourceflow.CircuitsFunc(func() []sourceflow.Circuit {
			secretPanic()
			return nil
		})}}, metrics.NameCircuitState},
		{"store retries", metrics.Config{StoreRetries: []metrics.StoreRetrySource{metrics.StoreRetriesFunc(func() (int64, int64) {
			secretPanic()
			return 0, 0
		})}}, metrics.NameStoreRetries},
		{"dead letters", metrics.Config{DeadLetters: []metrics.DeadLetterSource{metrics.DeadLettersFunc(func() map[string]int64 {
			secretPanic()
			return nil
		})}}, metrics.NameDeadLetters},
		{"handler retries", metrics.Config{HandlerRetries: []metrics.HandlerRetrySource{metrics.HandlerRetriesFunc(func() (int64, int64) {
			secretPanic()
			return 0, 0
		})}}, metrics.NameHandlerRetries},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncBuffer{}
			cfg := tc.cfg
			cfg.Duplicates = []metrics.DuplicateSource{metrics.DuplicatesFunc(func() int64 { return 7 })}
			cfg.Logger = watermill.NewSlogLogger(slog.New(slog.NewTextHandler(logs, nil)))
			_, reader := recordingMetrics(t, cfg)

			var got collected
			require.NotPanics(t, func() { got = collect(t, reader) })
			require.NotPanics(t, func() { got = collect(t, reader) })

			n, found := got.sum(metrics.NameDuplicates, attrs())
			assert.True(t, found, "the other instruments are reported")
			assert.Equal(t, int64(7), n)
			assert.Zero(t, got.points(tc.instrument), "the failed observation reports nothing")
			assert.Equal(t, 1, strings.Count(logs.String(), "stack="), "logged once: %s", logs)
			assert.Contains(t, logs.String(), "panicked: a value of type *struct")
			assert.Contains(t, logs.String(), "secretPanic", "the stack shows where")
			assert.NotContains(t, logs.String(), "4111111111111111")
		})
	}
}

// A duplicate source that panics fails its observation too.
func TestObservableDuplicatesPanicFailsItsObservationOnly(t *testing.T) {
	logs := &syncBuffer{}
	_, reader := recordingMetrics(t, metrics.Config{
		Duplicates:     []metrics.DuplicateSource{metrics.DuplicatesFunc(func() int64 { secretPanic(); return 0 })},
		HandlerRetries: []metrics.HandlerRetrySource{metrics.HandlerRetriesFunc(func() (int64, int64) { return 3, 1 })},
		Logger:         watermill.NewSlogLogger(slog.New(slog.NewTextHandler(logs, nil))),
	})

	var got collected
	require.NotPanics(t, func() { got = collect(t, reader) })

	n, found := got.sum(metrics.NameHandlerRetries, attrs())
	assert.True(t, found)
	assert.Equal(t, int64(3), n)
	assert.Zero(t, got.points(metrics.NameDuplicates))
	assert.Contains(t, logs.String(), "panicked: a value of type *struct")
}
