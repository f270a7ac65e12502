package dynamostore

import (
	"context"
	"sync"
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

	var order []string
	var mu sync.Mutex
	note := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, s)
	}
	trying, got := make(chan struct{}), make(chan bool)
	go func() {
		close(trying)
		r, ok := l.lock(ctx, "e-1")
		note("taken")
		if ok {
			r()
		}
		got <- ok
	}()
	<-trying
	note("released")
	release()
	assert.True(t, <-got, "taken once released")
	assert.Equal(t, []string{"released", "taken"}, order, "the second lock of e-1 waited for the release")

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
