package outbox

import (
	"context"
	"time"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// legacyWatch repeats checkLegacyOutbox while a Transport runs, until the
// earlier default outbox has no table.
type legacyWatch struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when the watch ended
}

// tickerFunc returns the ticks of a repeated check and a function to stop
// them.
type tickerFunc func() (<-chan time.Time, func())

// legacyTicker ticks every legacyCheckInterval.
func legacyTicker() (<-chan time.Time, func()) {
	t := time.NewTicker(legacyCheckInterval)
	return t.C, t.Stop
}

// watchLegacyOutbox checks the earlier default outbox at every tick of
// ticks (legacyTicker when nil) until the check finds no table or stop.
func watchLegacyOutbox(cfg Config, service string, ticks tickerFunc) *legacyWatch {
	if ticks == nil {
		ticks = legacyTicker
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &legacyWatch{cancel: cancel, done: make(chan struct{})}
	c, stopTicks := ticks()
	go func() {
		defer close(w.done)
		defer stopTicks()
		for {
			select {
			case <-ctx.Done():
				return
			case <-c:
				if !checkLegacyOutbox(ctx, cfg, service) {
					return
				}
			}
		}
	}()
	return w
}

// stop ends the watch and waits for it.
func (w *legacyWatch) stop() {
	w.cancel()
	<-w.done
}

// legacyLookBound bounds each look at the earlier default outbox, as each
// database call of the forwarder's polls is bounded: a look the database
// leaves unanswered would otherwise hold a connection of the pool, which
// the forwarder shares, until Close.
var legacyLookBound = sqldb.DefaultPollBound
