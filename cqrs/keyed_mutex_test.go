package cqrs

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyedMutex_HoldingOneKeyNeverBlocksAnother(t *testing.T) {
	var k keyedMutex[string]
	unlock := k.lock("order\x00o-0")
	defer unlock()
	for i := 1; i <= 1000; i++ {
		got := make(chan func(), 1)
		go func() { got <- k.lock("order\x00o-" + strconv.Itoa(i)) }()
		select {
		case u := <-got:
			u()
		case <-time.After(10 * time.Second):
			t.Fatalf("lock of key %d waited on the held key o-0", i)
		}
	}
}

func TestKeyedMutex_SerialisesOneKeyAndForgetsIt(t *testing.T) {
	var k keyedMutex[string]
	var wg sync.WaitGroup
	inside, most := 0, 0
	var mu sync.Mutex
	for range 50 {
		wg.Go(func() {
			defer k.lock("saga\x00e")()
			mu.Lock()
			inside++
			most = max(most, inside)
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			inside--
			mu.Unlock()
		})
	}
	wg.Wait()
	assert.Equal(t, 1, most, "two holders of one key at once")
	k.mu.Lock()
	defer k.mu.Unlock()
	require.Empty(t, k.locks, "an unused key keeps its lock")
}
