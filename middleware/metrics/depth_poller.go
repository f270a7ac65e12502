package metrics

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// depthPoller polls a DepthSource on its own schedule and keeps the last
// successful answer for the observable depth gauges.
type depthPoller struct {
	source   DepthSource
	interval time.Duration
	timeout  time.Duration
	logger   watermill.LoggerAdapter

	mu     sync.Mutex
	last   []QueueDepth
	cancel context.CancelFunc
	done   chan struct{}
}

func newDepthPoller(source DepthSource, interval, timeout time.Duration, logger watermill.LoggerAdapter) *depthPoller {
	return &depthPoller{source: source, interval: interval, timeout: timeout, logger: logger}
}

// start polls once at once, then every interval, until stop.
func (p *depthPoller) start() {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.done = make(chan struct{})
	go func() {
		defer close(p.done)
		ticker := time.NewTicker(p.interval)
		defer ticker.Stop()
		for {
			p.poll(ctx)
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	}()
}

// stop cancels a poll in progress and waits for the polling goroutine.
func (p *depthPoller) stop() {
	if p.cancel == nil {
		return
	}
	p.cancel()
	<-p.done
}

func (p *depthPoller) poll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	depths, err := p.source.Depths(ctx)
	if err != nil {
		if !errors.Is(ctx.Err(), context.Canceled) { // a cancelled poll is a shutdown, not a failure
			p.logger.Error("Queue depth poll failed; keeping the previous depths", err, nil)
		}
		return
	}
	p.mu.Lock()
	p.last = depths
	p.mu.Unlock()
}

// snapshot returns the last successful answer. The slice is not modified
// after it is stored, so it can be shared.
func (p *depthPoller) snapshot() []QueueDepth {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}
