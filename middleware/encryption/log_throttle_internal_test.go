package encryption

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The refusal log remembers at most logThrottleNames contexts: past the
// bound the contexts not remembered share one log a minute, and once full
// it forgets the contexts logged a minute ago.
func TestRefusalLog_IsBounded(t *testing.T) {
	var l logThrottle
	now := time.Unix(1_700_000_000, 0)
	for i := range logThrottleNames {
		assert.True(t, l.allow("ctx-"+strconv.Itoa(i), now, false))
	}
	assert.False(t, l.allow("ctx-0", now, false), "logged within the minute")
	assert.True(t, l.allow("one-more", now, false), "past the bound: the shared entry")
	assert.False(t, l.allow("yet-another", now, false), "the shared entry was logged within the minute")
	assert.Len(t, l.last, logThrottleNames+1)

	now = now.Add(logThrottleEvery)
	assert.True(t, l.allow("yet-another", now, false))
	assert.Len(t, l.last, 1, "the contexts logged a minute ago are forgotten")
}

// A refusal does not scan the log: the contexts logged a minute ago are
// forgotten only when the log is full, and then at most once a minute,
// while a context logged a minute ago is logged again whether or not it
// was forgotten.
func TestRefusalLog_SweepsOnlyWhenFullAndOnceAMinute(t *testing.T) {
	var l logThrottle
	start := time.Unix(1_700_000_000, 0)
	assert.True(t, l.allow("a", start, false))
	assert.True(t, l.allow("b", start, false))
	now := start.Add(logThrottleEvery)
	assert.True(t, l.allow("c", now, false))
	assert.Len(t, l.last, 3, "not full: nothing swept")
	assert.True(t, l.allow("a", now, false), "logged a minute ago, though remembered")

	for i := len(l.last); i < logThrottleNames; i++ {
		assert.True(t, l.allow("ctx-"+strconv.Itoa(i), now, false))
	}
	now = now.Add(time.Second)
	assert.True(t, l.allow("d", now, false), "full: b, logged a minute ago, swept")
	assert.NotContains(t, l.last, "b")
	assert.Equal(t, now, l.swept)
	assert.True(t, l.allow("e", now.Add(time.Second), false), "full again: the shared entry")
	assert.True(t, l.allow("f", now.Add(2*time.Second), true), "the shared entry's first refusal past the grace")
	assert.Equal(t, now, l.swept, "swept less than a minute ago: not again")
}

// The first refusal of a context past its grace is logged even when a
// refusal within its grace was logged less than a minute before; after it,
// once a minute again.
func TestRefusalLog_TheFirstRefusalPastTheGraceIsLogged(t *testing.T) {
	var l logThrottle
	now := time.Unix(1_700_000_000, 0)
	assert.True(t, l.allow("a", now, false))
	assert.False(t, l.allow("a", now.Add(time.Second), false))
	assert.True(t, l.allow("a", now.Add(2*time.Second), true), "past the grace: logged at once")
	assert.False(t, l.allow("a", now.Add(3*time.Second), true), "then once a minute")
	assert.True(t, l.allow("a", now.Add(2*time.Second+logThrottleEvery), true))
}
