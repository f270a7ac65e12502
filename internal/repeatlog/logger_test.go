package repeatlog_test

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/repeatlog"
)

// An Error line repeated once a second for ten minutes is logged at once,
// then once a minute with the number held back; Cleared logs its end once,
// with the number of failures, through the logger that logged it last.
func TestLogger_RepeatedErrorLoggedOncePerIntervalThenCleared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := newFakeLogger()
		l := repeatlog.NewLogger(fake, time.Minute)
		polling := l.With(watermill.LogFields{"topic": "outbox"})
		down := errors.New("connection refused")
		for range 600 {
			polling.Error("Error querying for message", down, watermill.LogFields{"wait_time": time.Second})
			time.Sleep(time.Second)
		}
		l.Cleared()
		l.Cleared()

		errs := fake.at("error", "Error querying for message")
		require.Len(t, errs, 10, "the first, then one a minute")
		assert.Equal(t, "1m0s", errs[0].fields["repeats_logged_every"])
		assert.Equal(t, "outbox", errs[0].fields["topic"])
		assert.Equal(t, time.Second, errs[0].fields["wait_time"])
		assert.Equal(t, down, errs[0].err)
		for i, e := range errs[1:] {
			assert.Equal(t, 60, e.fields["failed_attempts"], "line %d", i+1)
		}
		assert.Equal(t, "9m0s", errs[9].fields["failing_for"])
		cleared := fake.at("info", "cleared: Error querying for message")
		require.Len(t, cleared, 1, "the end, once")
		assert.Equal(t, 600, cleared[0].fields["failed_attempts"])
		assert.Equal(t, "10m0s", cleared[0].fields["failed_for"])
		assert.Equal(t, "outbox", cleared[0].fields["topic"])
	})
}

// After Cleared, a new failure is the first of a new row: logged at once.
// Lines of different messages are counted apart, and lines at other
// levels pass untouched.
func TestLogger_RowsStartOverAfterClearedAndCountEachMessageApart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := newFakeLogger()
		l := repeatlog.NewLogger(fake, time.Minute)
		down := errors.New("connection refused")
		l.Error("poll failed", down, nil)
		l.Error("rollback failed", down, nil)
		l.Error("poll failed", down, nil)
		for range 3 {
			l.Info("i", nil)
			l.Debug("d", nil)
			l.Trace("t", nil)
		}
		require.Len(t, fake.at("error", "poll failed"), 1)
		require.Len(t, fake.at("error", "rollback failed"), 1)
		assert.Len(t, fake.at("info", "i"), 3)
		assert.Len(t, fake.at("debug", "d"), 3)
		assert.Len(t, fake.at("trace", "t"), 3)

		time.Sleep(time.Second)
		l.Cleared()
		assert.Len(t, fake.at("info", "cleared: poll failed"), 1)
		assert.Len(t, fake.at("info", "cleared: rollback failed"), 1)
		l.Error("poll failed", down, nil)
		polls := fake.at("error", "poll failed")
		require.Len(t, polls, 2, "a failure after the condition cleared is logged at once")
		assert.Equal(t, "1m0s", polls[1].fields["repeats_logged_every"])
	})
}

// Loggers sharing rows (With) log failures while others clear them:
// every failure is counted once, in the cleared line that ends its row.
func TestLogger_ConcurrentFailuresAndClearsCountEachFailureOnce(t *testing.T) {
	fake := newFakeLogger()
	l := repeatlog.NewLogger(fake, time.Minute)
	const workers, each = 4, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			polling := l.With(watermill.LogFields{"worker": w})
			for i := range each {
				polling.Error("poll failed", errors.New("down"), nil)
				if i%50 == 0 {
					l.Cleared()
				}
			}
		})
	}
	wg.Wait()
	l.Cleared()

	counted := 0
	for _, c := range fake.at("info", "cleared: poll failed") {
		counted += c.fields["failed_attempts"].(int)
	}
	assert.Equal(t, workers*each, counted)
}
