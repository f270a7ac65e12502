package repeatlog_test

import (
	"fmt"
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

// A failure whose reason no recent line gave is logged before the interval
// passed, at most one such per ChangeInterval; a reason a recent line gave
// is no news. End forgets the reasons and the last change.
func TestRow_NewReasonLoggedAtOnceAtMostOncePerChangeInterval(t *testing.T) {
	r := repeatlog.Row{Interval: time.Minute, ChangeInterval: 5 * time.Second}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return start.Add(time.Duration(s) * time.Second) }

	f, ok := r.FailWith(at(0), "refused")
	assert.True(t, ok && f.First && !f.NewReason)
	f, ok = r.FailWith(at(1), "denied")
	assert.True(t, ok)
	assert.Equal(t, repeatlog.Failure{NewReason: true, Failures: 1, FailingFor: time.Second}, f)
	_, ok = r.FailWith(at(2), "timeout")
	assert.False(t, ok, "within ChangeInterval of the last new reason")
	f, ok = r.FailWith(at(6), "timeout")
	assert.True(t, ok)
	assert.Equal(t, repeatlog.Failure{NewReason: true, Failures: 2, FailingFor: 6 * time.Second}, f)
	_, ok = r.FailWith(at(30), "refused")
	assert.False(t, ok, "a reason a recent line gave is no news")

	_, _, ended := r.End(at(31))
	require.True(t, ended)
	f, ok = r.FailWith(at(32), "timeout")
	assert.True(t, ok && f.First)
	f, ok = r.FailWith(at(33), "denied")
	assert.True(t, ok && f.NewReason, "End forgot the last new reason's time")
}

// A Row remembers the reasons of its last eight lines: a ninth reason
// pushes out the oldest, which is news again when it comes back.
func TestRow_RemembersTheReasonsOfTheLastEightLines(t *testing.T) {
	r := repeatlog.Row{Interval: time.Hour, ChangeInterval: time.Second}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 9 {
		_, ok := r.FailWith(start.Add(time.Duration(i)*time.Second), fmt.Sprint("reason ", i))
		require.True(t, ok, "reason %d is new", i)
	}
	_, ok := r.FailWith(start.Add(10*time.Second), "reason 1")
	assert.False(t, ok, "one of the last eight")
	f, ok := r.FailWith(start.Add(11*time.Second), "reason 0")
	assert.True(t, ok && f.NewReason, "the oldest was pushed out")
}
