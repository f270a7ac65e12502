package encryption

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The refusal log remembers at most refusalLogContexts contexts, and only
// for a minute: past the bound the contexts not remembered share one log
// a minute, and a minute later every context is forgotten.
func TestRefusalLog_IsBounded(t *testing.T) {
	var l refusalLog
	now := time.Unix(1_700_000_000, 0)
	for i := range refusalLogContexts {
		assert.True(t, l.allow("ctx-"+strconv.Itoa(i), now))
	}
	assert.False(t, l.allow("ctx-0", now), "logged within the minute")
	assert.True(t, l.allow("one-more", now), "past the bound: the shared entry")
	assert.False(t, l.allow("yet-another", now), "the shared entry was logged within the minute")
	assert.Len(t, l.last, refusalLogContexts+1)

	now = now.Add(refusalLogEvery)
	assert.True(t, l.allow("yet-another", now))
	assert.Len(t, l.last, 1, "the contexts logged a minute ago are forgotten")
}
