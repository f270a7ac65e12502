package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sourceflow-go/sourceflow"
)

// parseRate reads a --rate value: "N/s" or "N" messages per second, 0 for
// no limit.
func parseRate(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(s), "/s"))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("--rate %q: want messages per second as N/s (e.g. 50/s), or 0 for no limit", s)
	}
	return n, nil
}

// pacer spaces batches so that no more than rate messages a second leave:
// a batch of n messages reserves n/rate seconds, and the next batch waits
// until that reservation ends. It waits on its clock, so tests count the
// waits instead of timing them.
type pacer struct {
	clock sourceflow.Clock
	per   time.Duration // time per message; 0 means no limit
	next  time.Time
}

func newPacer(clock sourceflow.Clock, rate int) *pacer {
	p := &pacer{clock: clock}
	if rate > 0 {
		p.per = time.Second / time.Duration(rate)
	}
	return p
}

// batch returns the largest batch, at most limit, that fits one second's
// rate, so that a low rate never sends a burst above it.
func (p *pacer) batch(limit int) int {
	if p.per == 0 {
		return limit
	}
	return max(1, min(limit, int(time.Second/p.per)))
}

// wait blocks until n more messages may leave, or ctx ends.
func (p *pacer) wait(ctx context.Context, n int) error {
	if p.per == 0 {
		return nil
	}
	now := p.clock.Now()
	if p.next.Before(now) {
		p.next = now
	}
	if d := p.next.Sub(now); d > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.clock.After(d):
		}
	}
	p.next = p.next.Add(time.Duration(n) * p.per)
	return nil
}
