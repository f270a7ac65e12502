package outbox

import (
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// SetPruneInterval sets how often the forwarder prunes, so tests see it
// prune quickly. Call it before Bind.
func SetPruneInterval(t *Transport, d time.Duration) { t.cfg.PruneInterval = d }

// SetLogger sets the logger of the forwarder, so tests see what it logs.
// Call it before Bind.
func SetLogger(t *Transport, l watermill.LoggerAdapter) { t.cfg.Logger = l }
