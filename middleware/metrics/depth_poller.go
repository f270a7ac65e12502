package metrics

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
)

// maxMissedPolls is how many polls in a row may fail to read a queue while
// its last depth is still reported: long enough to ride out a throttled or
// timed-out call, short enough that a queue that is gone, or a source that
// is down, stops being reported instead of showing a frozen depth.
const maxMissedPolls = 5

// depthPoller polls a DepthSource on its own schedule and keeps the last
// depth read of each queue for the observable depth gauges.
type depthPoller struct {
	source   DepthSource
	interval time.Duration
	timeout  time.Duration
	logger   watermill.LoggerAdapter

	mu     sync.Mutex
	last   []polledDepth
	cancel context.CancelFunc
	done   chan struct{}
}

// polledDepth is the last depth read of one queue.
type polledDepth struct {
	QueueDepth
	missed int // polls in a row since, none of which read the queue
}

// depthKey identifies a queue among the answers of a DepthSource.
type depthKey struct {
	queue string
	dlq   bool
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

// poll reads the depths once. A source that fails may still answer with
// the queues it could read (the AWS and SQL sources do): those are stored,
// and a queue it did not read keeps its last depth for up to maxMissedPolls
// polls in a row.
func (p *depthPoller) poll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	depths, stack, err := p.read(ctx)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) { // a cancelled poll is a shutdown, not a failure
			return
		}
		var fields watermill.LogFields
		if stack != nil {
			fields = watermill.LogFields{"stack": string(stack)}
		}
		p.logger.Error("Queue depth poll failed; the queues it did not read keep their last depths for a few polls", err, fields)
	}
	p.store(depths, err == nil)
}

// read asks the source for the depths. A panic of the source (a bug in it)
// is a failed poll, its error describing the value as sourceflow.PanicText
// does and its stack returned for the log, not the end of the process: the
// poller runs on a goroutine of its own, where nothing could recover it.
func (p *depthPoller) read(ctx context.Context) (depths []QueueDepth, stack []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			depths, stack = nil, debug.Stack()
			err = fmt.Errorf("the queue depth source panicked: %s", sourceflow.PanicText(v))
		}
	}()
	depths, err = p.source.Depths(ctx)
	return depths, nil, err
}

// store keeps depths as the last reading of their queues. When the answer
// is complete, the queues it lacks are gone; otherwise each one not read
// keeps its last depth until maxMissedPolls polls in a row missed it.
func (p *depthPoller) store(depths []QueueDepth, complete bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	next := make([]polledDepth, 0, len(depths)+len(p.last))
	read := make(map[depthKey]bool, len(depths))
	for _, d := range depths {
		next = append(next, polledDepth{QueueDepth: d})
		read[depthKey{d.Queue, d.DLQ}] = true
	}
	for _, old := range p.last {
		if complete || read[depthKey{old.Queue, old.DLQ}] || old.missed+1 >= maxMissedPolls {
			continue
		}
		old.missed++
		next = append(next, old)
	}
	p.last = next
}

// snapshot returns the depths to report. The slice is not modified after it
// is stored, so it can be shared.
func (p *depthPoller) snapshot() []polledDepth {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}
