package encryption

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The refusals of a key are timed per encryption context for at most
// maxRefusedContexts contexts: a sender's messages under random types and a
// key KMS denies take no more memory than that, and a refusal under a
// context beyond it is timed by the key's overflow run, which a KMS call
// of the key that succeeds ends.
func TestKeyRefusalsTimeAtMostTheCapOfContexts(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	r := newKeyRefusals(func() time.Time { return now })
	for i := range maxRefusedContexts + 1 {
		_, over := r.refused("", "type-"+strconv.Itoa(i), now, ErrAccessDenied)
		assert.False(t, over)
	}
	now = now.Add(KeyRefusalGrace)
	since, over := r.refused("", "another type", now, ErrAccessDenied)
	assert.True(t, over, "beyond the cap: the key's overflow run, since the first refusal beyond it")
	assert.Equal(t, start, since)

	_, over = r.refused("", "type-7", now, ErrAccessDenied)
	assert.True(t, over, "a context timed before the cap keeps its own run")
	r.byContext.Found(contextEntry("", "type-7"))
	_, over = r.refused("", "type-7", now, ErrAccessDenied)
	assert.False(t, over, "room again below the cap: a context has its own run")

	_, over = r.refused("", "yet another type", now, ErrAccessDenied)
	assert.True(t, over, "the cap is reached again")
	r.served("", "a type never refused")
	_, over = r.refused("", "yet another type", now, ErrAccessDenied)
	assert.False(t, over, "a KMS call of the key that succeeded ends the overflow run")
	_, over = r.refused("other key", "a type", now, ErrAccessDenied)
	assert.False(t, over, "the overflow run is the key's own")
}

// The whole clock times at most maxRefusedKeys keys apart (a Decrypter
// without KeyIDs names a key as the sender's header does): the refusals of
// keys beyond them are timed together, and a KMS call that succeeds ends
// that run.
func TestKeyRefusalsTimeAtMostTheCapOfKeys(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	r := newKeyRefusals(func() time.Time { return now })
	for i := range maxRefusedKeys + 1 {
		_, over := r.refused("key-"+strconv.Itoa(i), "a type", now, ErrKeyUnavailable)
		assert.False(t, over)
	}
	now = now.Add(KeyRefusalGrace)
	since, over := r.refused("another key", "another type", now, ErrKeyUnavailable)
	assert.True(t, over, "beyond the cap: the run of the keys beyond it")
	assert.Equal(t, start, since)
	_, over = r.refused("key-3", "another type", now, ErrKeyUnavailable)
	assert.True(t, over, "a key timed before the cap keeps its own run")

	r.served("a key never refused", "a type")
	_, over = r.refused("yet another key", "a third type", now, ErrKeyUnavailable)
	assert.False(t, over, "a KMS call that succeeded ends the run of the keys beyond the cap")
}
