package outbox_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/outbox"
)

// heldBacklogRows is how many held rows each backlog of the fairness test
// has: ten batches.
const heldBacklogRows = 1000

// A destination with a backlog of held rows does not starve the others:
// even with more backlogs than an instance relays at once, the relays
// waiting for a slot take turns a batch at a time, so every destination,
// the one with one held row as the backlogs, has its first row relayed
// before any backlog has been relayed whole. The
// turns start once every relay waits for its slot: the slots' holders
// stop at their first publish until the others wait for one, so that a
// relay the scheduler starts late does not count as one starved.
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
		turns := newHeldTurns(inner, append([]string{"z"}, backlogs...))
		seen := turns.seen
		inner.onPublish.Store(&seen)

		failed := make(chan bool, 1)
		go func() { failed <- outbox.NewHeldPass(cfg, nil)(context.Background()) }()
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, int64(outbox.HeldRelaysAtOnce), turns.stopped.Load(), "every slot's holder stopped")
			assert.Equal(c, len(backlogs)+1-outbox.HeldRelaysAtOnce, relaysWaitingForASlot(), "the other relays wait for a slot")
		}, waitFor, 10*time.Millisecond)
		close(turns.gate)
		require.False(t, <-failed, "every row is relayed")
		assert.Equal(t, ids, inner.received("z"))
		for _, b := range backlogs {
			assert.Len(t, inner.published(b), heldBacklogRows, "%s's rows relayed in the end", b)
		}
		for d, relayed := range turns.before {
			for _, b := range backlogs {
				assert.Less(t, relayed[b], heldBacklogRows, "%s's rows relayed before %s's first", b, d)
			}
		}
		assert.Zero(t, waiting(t, cfg))
	})
}

// relaysWaitingForASlot returns how many goroutines of the process wait in
// the held relays' acquire (their stacks name it): the relays of held rows
// waiting for their turn.
func relaysWaitingForASlot() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "outbox.(*heldRelays).acquire(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// heldTurns watches the publishes of the fairness test: the first publish
// of each relay holding a slot stops until gate closes, and before holds,
// for each destination, how many rows of each had been relayed when its
// first row was.
type heldTurns struct {
	inner        *stuckTransport
	destinations []string
	gate         chan struct{}
	stopped      atomic.Int64 // the slots' holders stopped at their first publish

	mu     sync.Mutex
	before map[string]map[string]int
}

func newHeldTurns(inner *stuckTransport, destinations []string) *heldTurns {
	return &heldTurns{inner: inner, destinations: destinations, gate: make(chan struct{}), before: map[string]map[string]int{}}
}

// seen is called after each publish.
func (h *heldTurns) seen() {
	h.mu.Lock()
	relayed := map[string]int{}
	for _, d := range h.destinations {
		relayed[d] = len(h.inner.published(d))
	}
	for _, d := range h.destinations {
		if _, ok := h.before[d]; !ok && relayed[d] > 0 {
			h.before[d] = relayed
		}
	}
	h.mu.Unlock()
	select {
	case <-h.gate:
	default:
		h.stopped.Add(1) // a slot's holder at its first publish
		<-h.gate
	}
}
