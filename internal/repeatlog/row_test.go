package repeatlog_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/repeatlog"
)

// A Row logs its first failure, then one once its interval passed since
// the line before, counting the failures since; End reports the row once.
func TestRow_FirstThenOncePerIntervalThenEnd(t *testing.T) {
	r := repeatlog.Row{Interval: time.Minute}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var logged []repeatlog.Failure
	for i := range 30 { // 30 failures, 5 s apart: 2m25s
		if f, ok := r.Fail(start.Add(time.Duration(i) * 5 * time.Second)); ok {
			logged = append(logged, f)
		}
	}
	require.Len(t, logged, 3)
	assert.Equal(t, repeatlog.Failure{First: true, Failures: 1}, logged[0])
	assert.Equal(t, repeatlog.Failure{Failures: 12, FailingFor: time.Minute}, logged[1])
	assert.Equal(t, repeatlog.Failure{Failures: 12, FailingFor: 2 * time.Minute}, logged[2])

	failures, lasted, ok := r.End(start.Add(150 * time.Second))
	assert.True(t, ok)
	assert.Equal(t, 30, failures)
	assert.Equal(t, 150*time.Second, lasted)
	_, _, ok = r.End(start.Add(time.Hour))
	assert.False(t, ok, "no row to end")
	f, ok := r.Fail(start.Add(time.Hour))
	assert.True(t, ok)
	assert.True(t, f.First, "a failure after End starts a new row")
}
