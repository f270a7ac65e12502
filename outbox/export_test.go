package outbox

import "time"

// SetRetryWindow bounds how long one delivery retries a failing publish
// before the row is nacked, so tests see several deliveries quickly. Call it
// before Bind.
func SetRetryWindow(t *Transport, d time.Duration) { t.retry.maxElapsed = d }

// SetPruneInterval sets how often the forwarder prunes, so tests see it
// prune quickly. Call it before Bind.
func SetPruneInterval(t *Transport, d time.Duration) { t.cfg.PruneInterval = d }
