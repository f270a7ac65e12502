package metrics_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// A source that panics, answers again, and later panics again is logged
// at each time it starts to panic, with the stack, and when it answers
// again, with the collections it failed: a later panic, perhaps another
// bug, is not hidden by the first.
func TestObservableSourcePanicsAgainAfterAnsweringIsLoggedAgain(t *testing.T) {
	panics := []bool{true, true, false, true}
	call := 0
	logs := &syncBuffer{}
	_, reader := recordingMetrics(t, metrics.Config{
		HandlerRetries: []metrics.HandlerRetrySource{metrics.HandlerRetriesFunc(func() (int64, int64) {
			call++
			if panics[call-1] {
				secretPanic()
			}
			return 3, 1
		})},
		Logger: watermill.NewSlogLogger(slog.New(slog.NewTextHandler(logs, nil))),
	})

	var got []collected
	for range panics {
		require.NotPanics(t, func() { got = append(got, collect(t, reader)) })
	}

	assert.Zero(t, got[1].points(metrics.NameHandlerRetries), "no value while it panics")
	n, found := got[2].sum(metrics.NameHandlerRetries, attrs())
	assert.True(t, found, "reported once it answers")
	assert.Equal(t, int64(3), n)
	assert.Equal(t, 2, strings.Count(logs.String(), "stack="), "logged when it starts to panic, each time: %s", logs)
	assert.Equal(t, 1, strings.Count(logs.String(), "failed_collections=2"), "logged when it answers again: %s", logs)
	assert.NotContains(t, logs.String(), "4111111111111111")
}
