package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// errPublishHung is the failure of a sweep publish that did not return
// before the lease of its message ended: its inner transport ignores the
// publish's context.
var errPublishHung = errors.New("the publish did not return before its lease ended; it is left running")

// errPublishUnsettled is the failure of a sweep publish that did not return
// within dynamo.SettleTimeout of the end of the sweep's context.
var errPublishUnsettled = fmt.Errorf("the publish did not return within %s of the sweep's end; it is left running",
	dynamo.SettleTimeout)

// errClaimLate is the failure of a message whose claim was answered after
// the publish's deadline (sweepSettleMargin before the lease's end): it is
// released unpublished, as another instance may take it over once the
// lease ends.
var errClaimLate = errors.New("the claim was answered too close to the end of its lease to publish; released unpublished")

// errPublishRunning holds a destination for which a publish a sweep gave up
// on (errPublishHung) is still running on this instance.
var errPublishRunning = errors.New("a publish a sweep gave up on is still running")

// sweepSettleMargin is how long before the end of a claim's lease the
// sweep's publish of the message ends: a third of relayAfter, at most
// dynamo.SettleTimeout (10 s of the default 30 s). The release or delete
// that records the outcome must land while the lease is still this
// instance's, or another instance takes the message over while this one
// may still send it; the margin is the time those writes get (they are
// bounded by dynamo.SettleTimeout), and leaves room for the instances'
// clocks to differ.
func sweepSettleMargin(relayAfter time.Duration) time.Duration {
	return min(relayAfter/3, dynamo.SettleTimeout)
}

// sweepPublish is one publish of the sweep and what became of it.
type sweepPublish struct {
	destination string
	sent        chan struct{}      // closed once the publish returned
	done        chan publishResult // buffered: the publish never waits on it
	// returned, finished and abandoned are guarded by the Outbox's mu.
	returned, finished, abandoned bool
}

// publishResult is the outcome of a sweep publish and its failure.
type publishResult struct {
	outcome relayOutcome
	err     error
}

// relayLeased publishes it, claimed with lease, and records the outcome
// (publishLeased) in a goroutine of its own, and waits for the publish
// until the lease ends, or, once ctx ended, for all of it for at most
// dynamo.SettleTimeout. The publish's context ends sweepSettleMargin
// before the lease, so a publish that honours it fails in time to be
// released. One that has not returned by then is given up on
// (errPublishHung): it is left running, and its destination held on this
// instance (publishRunning) until it returns and records its outcome; its
// lease has run out meanwhile, so another instance may relay the message
// beside it. A claim answered after the publish's deadline (DynamoDB slow,
// throttling retried) is not published but released (errClaimLate), a
// transient failure.
func (o *Outbox) relayLeased(ctx context.Context, it outboxItem, lease int64) (relayOutcome, error) {
	end := time.Unix(0, lease)
	deadline := end.Add(-sweepSettleMargin(o.cfg.RelayAfter))
	if !time.Now().Before(deadline) {
		return o.settleRelay(ctx, it, lease, fmt.Errorf("%s%w (lease %s)", publishStart(it.Destination), errClaimLate, o.cfg.RelayAfter))
	}
	p := &sweepPublish{destination: it.Destination, sent: make(chan struct{}), done: make(chan publishResult, 1)}
	go func() {
		outcome, err := o.publishLeased(ctx, it, lease, deadline, p)
		o.publishEnds(p, publishResult{outcome, err}, it)
	}()
	r, ok := o.awaitPublish(ctx, p, end)
	if !ok {
		return heldBack, fmt.Errorf("%s%w", publishStart(it.Destination), r.err)
	}
	return r.outcome, r.err
}

// awaitPublish waits for p's publish until end, then for the record of its
// outcome (bounded by dynamo.SettleTimeout); once ctx ended, it waits for
// both for at most dynamo.SettleTimeout. It gives p up (abandon) when its
// publish has not returned by then, with errPublishHung or
// errPublishUnsettled.
func (o *Outbox) awaitPublish(ctx context.Context, p *sweepPublish, end time.Time) (publishResult, bool) {
	timer := time.NewTimer(time.Until(end))
	defer timer.Stop()
	select {
	case r := <-p.done:
		return r, true
	case <-p.sent:
		return <-p.done, true
	case <-timer.C:
		return o.abandon(p, true, fmt.Errorf("%w (lease %s)", errPublishHung, o.cfg.RelayAfter))
	case <-ctx.Done():
	}
	settle := time.NewTimer(dynamo.SettleTimeout)
	defer settle.Stop()
	select {
	case r := <-p.done:
		return r, true
	case <-settle.C:
		return o.abandon(p, false, errPublishUnsettled)
	}
}

// abandon gives p up, holding its destination until it finishes, unless it
// finished meanwhile or, when settling, its publish returned (recording
// its outcome is bounded by dynamo.SettleTimeout): then it returns p's
// result; otherwise it returns gaveUp, why.
func (o *Outbox) abandon(p *sweepPublish, settling bool, gaveUp error) (publishResult, bool) {
	o.mu.Lock()
	if p.finished || (settling && p.returned) {
		o.mu.Unlock()
		return <-p.done, true
	}
	p.abandoned = true
	o.hung[p.destination]++
	o.mu.Unlock()
	return publishResult{outcome: heldBack, err: gaveUp}, false
}

// publishReturned records that p's publish returned.
func (o *Outbox) publishReturned(p *sweepPublish) {
	o.mu.Lock()
	p.returned = true
	o.mu.Unlock()
	close(p.sent)
}

// publishEnds hands r to whoever waits for p and, if awaitPublish gave up
// on p, releases its destination and logs what became of the message.
func (o *Outbox) publishEnds(p *sweepPublish, r publishResult, it outboxItem) {
	p.done <- r
	o.mu.Lock()
	p.finished = true
	abandoned := p.abandoned
	if abandoned {
		if o.hung[p.destination]--; o.hung[p.destination] <= 0 {
			delete(o.hung, p.destination)
		}
	}
	o.mu.Unlock()
	if abandoned {
		o.cfg.Logger.Info("outbox: a sweep publish given up on returned", watermill.LogFields{
			"outbox": o.cfg.Name, "uuid": it.UUID, "destination": it.Destination,
			"relayed": r.outcome == relayed, "error": fmt.Sprint(r.err),
		})
	}
}

// publishRunning reports whether a sweep publish to destination this
// instance gave up on is still running.
func (o *Outbox) publishRunning(destination string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hung[destination] > 0
}

// publishLeased publishes it, claimed with lease, with a context that ends
// at deadline (or with ctx), tells p once the publish returned, and
// records the outcome (settleRelay).
func (o *Outbox) publishLeased(ctx context.Context, it outboxItem, lease int64, deadline time.Time, p *sweepPublish) (relayOutcome, error) {
	pubCtx, cancel := context.WithDeadline(ctx, deadline)
	m := it.message()
	m.SetContext(pubCtx)
	sendErr := o.send(it.Destination, m)
	o.publishReturned(p)
	if sendErr != nil && ctx.Err() == nil && errors.Is(pubCtx.Err(), context.DeadlineExceeded) {
		sendErr = fmt.Errorf("%w (the sweep ends a publish %s before its lease of %s does)",
			sendErr, sweepSettleMargin(o.cfg.RelayAfter), o.cfg.RelayAfter)
	}
	cancel()
	return o.settleRelay(ctx, it, lease, sendErr)
}
