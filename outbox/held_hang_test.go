package outbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/outbox"
)

// A relay that hangs on one destination holds up that destination only
// (package doc, "A failing destination holds only its own rows"): the
// held rows of another destination are relayed meanwhile.
func TestAHangingRelayHoldsUpOnlyItsDestination(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		inner := newStuckTransport()
		inner.down.Store(true)
		cfg, _ := heldOutbox(t, d, d.open(t), inner, 2, "a", "b")
		inner.down.Store(false)
		release := make(chan struct{})
		var once sync.Once
		hang := func() { once.Do(func() { <-release }) } // the first relay hangs, whichever destination it is
		inner.onPublish.Store(&hang)
		ctx, cancel := context.WithCancel(context.Background())
		passed := make(chan struct{})
		go func() { defer close(passed); outbox.NewHeldPass(cfg, nil)(ctx) }()
		t.Cleanup(func() { cancel(); close(release); <-passed })

		assert.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.NotEmpty(c, inner.published("a"), "a")
			assert.NotEmpty(c, inner.published("b"), "b")
		}, 3*time.Second, 20*time.Millisecond, "the destination whose relay does not hang is relayed meanwhile")
		require.True(t, len(inner.published("a"))+len(inner.published("b")) >= 1, "one relay started")
	})
}
