package deadletter_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/deadletter"
)

func TestCountsByDestination(t *testing.T) {
	var c deadletter.Counts
	assert.Empty(t, c.Snapshot(), "nothing dead-lettered yet")
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { c.Add("orders") })
		wg.Go(func() { c.Add("payments") })
	}
	c.Add("orders")
	wg.Wait()
	assert.Equal(t, map[string]int64{"orders": 51, "payments": 50}, c.Snapshot())
}

func TestSnapshotIsTheCallers(t *testing.T) {
	var c deadletter.Counts
	c.Add("orders")
	s := c.Snapshot()
	s["orders"] = 100
	assert.Equal(t, map[string]int64{"orders": 1}, c.Snapshot())
}
