package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/outbox"
)

// heldBacklogRows is how many held rows each backlog of the fairness test
// has: ten batches, many more than a relay waits for its turn.
const heldBacklogRows = 1000

// A destination with a backlog of held rows does not starve the others:
// even with more backlogs than an instance relays at once, the relays
// take turns a batch at a time, so a destination with one held row is
// relayed before any backlog has been relayed whole.
func TestABacklogOfHeldRowsStarvesNoOtherDestination(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		inner := newStuckTransport()
		inner.down.Store(true)
		cfg, ids := heldOutbox(t, d, db, inner, 1, "z") // after the backlogs in any order of names
		inner.down.Store(false)
		var backlogs []string
		for i := range outbox.HeldRelaysAtOnce + 1 {
			backlogs = append(backlogs, fmt.Sprintf("backlog%d", i))
			d.holdMany(t, db, cfg.Topic, backlogs[i], heldBacklogRows)
		}
		before := map[string]int{} // each backlog's rows relayed when z's was
		var once sync.Once
		seen := func() {
			if len(inner.published("z")) > 0 {
				once.Do(func() {
					for _, b := range backlogs {
						before[b] = len(inner.published(b))
					}
				})
			}
		}
		inner.onPublish.Store(&seen)

		require.False(t, outbox.NewHeldPass(cfg, nil)(context.Background()), "every row is relayed")
		assert.Equal(t, ids, inner.received("z"))
		for _, b := range backlogs {
			assert.Less(t, before[b], heldBacklogRows, "%s's rows relayed before z's", b)
			assert.Len(t, inner.published(b), heldBacklogRows, "%s's rows relayed in the end", b)
		}
		assert.Zero(t, waiting(t, cfg))
	})
}
