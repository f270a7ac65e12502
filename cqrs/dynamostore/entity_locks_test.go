package dynamostore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEntityLocksSerialiseOneEntityAndGiveUpAfterTheWait(t *testing.T) {
	var l entityLocks
	ctx := context.Background()
	release, ok := l.lock(ctx, "e-1")
	require.True(t, ok)
	other, ok := l.lock(ctx, "e-2")
	require.True(t, ok, "another entity is not held up")
	other()

	got := make(chan bool)
	go func() {
		r, ok := l.lock(ctx, "e-1")
		if ok {
			r()
		}
		got <- ok
	}()
	select {
	case <-got:
		t.Fatal("the second lock of e-1 did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	release()
	assert.True(t, <-got, "taken once released")

	release, ok = l.lock(ctx, "e-1")
	require.True(t, ok)
	defer release()
	start := time.Now()
	_, ok = l.lock(ctx, "e-1")
	assert.False(t, ok, "gives up after entityLockWait")
	assert.GreaterOrEqual(t, time.Since(start), entityLockWait)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, ok = l.lock(cancelled, "e-1")
	assert.False(t, ok, "gives up when the context ends")
}
