package outbox

import "time"

// SetPruneInterval sets how often the forwarder prunes, so tests see it
// prune quickly. Call it before Bind.
func SetPruneInterval(t *Transport, d time.Duration) { t.cfg.PruneInterval = d }
