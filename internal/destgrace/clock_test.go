package destgrace_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/destgrace"
)

func TestADestinationIsOverItsGraceAfterFifteenMinutesWithoutAPublisher(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := destgrace.NewClock(func() time.Time { return now })
	failing, over := c.Failed("orders")
	assert.Zero(t, failing)
	assert.False(t, over)
	now = now.Add(destgrace.Grace - time.Second)
	_, over = c.Failed("orders")
	assert.False(t, over)
	_, over = c.Failed("payments")
	assert.False(t, over, "each destination has a clock of its own")
	now = now.Add(time.Second)
	failing, over = c.Failed("orders")
	assert.True(t, over)
	assert.Equal(t, destgrace.Grace, failing)

	c.Found("orders")
	_, over = c.Failed("orders")
	assert.False(t, over, "a publisher found ends the run of failures")

	now = now.Add(destgrace.Grace + time.Second)
	_, over = c.Failed("payments")
	assert.True(t, over, "failures far apart (a long sweep interval, many instances taking turns) add up")

	now = now.Add(25 * time.Hour)
	failing, over = c.Failed("payments")
	assert.False(t, over, "a day without failures starts again")
	assert.Zero(t, failing)
}

// A Clock with a forget window shorter than a day starts a run again once
// its last failure is older than the window, while failures closer
// together still add up to the grace.
func TestAClockForgettingSoonerStartsAgainAfterAPause(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := destgrace.NewClockForgetting(func() time.Time { return now }, destgrace.Grace)
	c.Failed("key")
	now = now.Add(10 * time.Minute)
	c.Failed("key")
	now = now.Add(10 * time.Minute)
	failing, over := c.Failed("key")
	assert.True(t, over, "failures a window apart or closer add up")
	assert.Equal(t, 20*time.Minute, failing)

	now = now.Add(destgrace.Grace + time.Second)
	failing, over = c.Failed("key")
	assert.False(t, over, "the last failure is older than the window: a new run")
	assert.Zero(t, failing)
}

// A Clock given a limit times no more destinations than it: a new one
// beyond it is not recorded, while those it times still are, and one
// forgotten or found makes room.
func TestAClockWithinALimitTimesNoMoreDestinations(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := destgrace.NewClock(func() time.Time { return now })
	_, _, tracked := c.FailedWithin("orders", 1)
	assert.True(t, tracked)
	_, _, tracked = c.FailedWithin("payments", 1)
	assert.False(t, tracked, "beyond the limit")
	now = now.Add(destgrace.Grace)
	failing, over, tracked := c.FailedWithin("orders", 1)
	assert.True(t, tracked)
	assert.True(t, over)
	assert.Equal(t, destgrace.Grace, failing)
	c.Found("orders")
	_, _, tracked = c.FailedWithin("payments", 1)
	assert.True(t, tracked, "room again")
}
