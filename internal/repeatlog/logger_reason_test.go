package repeatlog_test

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/repeatlog"
)

// A repeated Error line whose error changes (the database that refused
// connections now refuses the password) is logged at once with the new
// error, not a minute after the line before; the row goes on, counting the
// failures held back since that line.
func TestLogger_ErrorWithANewReasonIsLoggedAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := newFakeLogger()
		l := repeatlog.NewLogger(fake, time.Minute)
		refused, denied := errors.New("connection refused"), errors.New("access denied")
		for range 30 {
			l.Error("poll failed", refused, nil)
			time.Sleep(time.Second)
		}
		l.Error("poll failed", denied, nil)

		polls := fake.at("error", "poll failed")
		require.Len(t, polls, 2, "the first, then the new reason at once")
		assert.Equal(t, denied, polls[1].err)
		assert.Equal(t, 30, polls[1].fields["failed_attempts"], "29 held back, and this one")
		assert.Equal(t, "30s", polls[1].fields["failing_for"])
		assert.Equal(t, true, polls[1].fields["new_reason"])
	})
}

// Two reasons that alternate at every failure are each news once: after
// their first lines the row is logged once a minute, as one reason is.
func TestLogger_AlternatingReasonsAreLoggedOnceEachThenOncePerInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := newFakeLogger()
		l := repeatlog.NewLogger(fake, time.Minute)
		reasons := []error{errors.New("connection refused"), errors.New("connection reset by peer")}
		for i := range 600 { // ten minutes, one failure a second
			l.Error("poll failed", reasons[i%2], nil)
			time.Sleep(time.Second)
		}

		polls := fake.at("error", "poll failed")
		require.Len(t, polls, 11, "each reason's first, then one a minute")
		assert.Equal(t, reasons[1], polls[1].err)
	})
}

// A reason that is new at every failure (its text names something that
// changes) is logged at most once per 10 s, not at every failure.
func TestLogger_EverNewReasonsAreLoggedAtMostEveryTenSeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := newFakeLogger()
		l := repeatlog.NewLogger(fake, time.Minute)
		for i := range 120 { // two minutes, one failure a second
			l.Error("poll failed", fmt.Errorf("read tcp 10.0.0.1:%d: connection reset by peer", 40000+i), nil)
			time.Sleep(time.Second)
		}

		polls := fake.at("error", "poll failed")
		assert.LessOrEqual(t, len(polls), 1+120/10, "the first, then at most one per 10 s")
		assert.Greater(t, len(polls), 120/60+1, "new reasons are shown sooner than once a minute")
	})
}
