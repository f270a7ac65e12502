package outbox

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
)

// attemptBound bounds one attempt to publish a row to the inner transport,
// the forwarder's and the retry's of a held row alike: the context of the
// messages ends then. A variable for tests.
var attemptBound = 30 * time.Second

// heedGrace is how long a publish whose context ended is still waited
// for: one that heeds its context returns within it, with its own error;
// one that does not is abandoned then. A variable for tests.
var heedGrace = time.Second

// boundedCalls runs the relay's publishes each in a goroutine of its own
// and waits for it until its context ended and heedGrace more: an inner
// publisher that ignores its context (watermill-aws's SNS publisher uses
// context.Background()) then keeps no forward, and no relay of held rows,
// waiting past the bound. The call is abandoned, not stopped: it goes on
// in its goroutine, and its result, if it ever comes, is ignored and
// logged (at most once per interval). A destination whose abandoned call
// still runs gets no new attempt until it returns (its rows are held), so
// a dead endpoint costs one goroutine per destination, not one per
// attempt: two only when the forwarder and the retry attempted it at the
// same moment.
type boundedCalls struct {
	logger   watermill.LoggerAdapter
	topic    string
	interval time.Duration
	grace    time.Duration // heedGrace

	mu        sync.Mutex
	abandoned map[string]abandonedCall // by destination, while they run
	lastLine  time.Time                // of an abandoned call's end
	unlogged  int                      // the abandoned calls that ended since lastLine, not logged
}

// abandonedCall is what is known of a destination's abandoned calls still
// running: how many, and when the first of them began.
type abandonedCall struct {
	running int
	since   time.Time
}

func newBoundedCalls(logger watermill.LoggerAdapter, topic string, interval time.Duration) *boundedCalls {
	return &boundedCalls{logger: logger, topic: topic, interval: interval, grace: heedGrace,
		abandoned: map[string]abandonedCall{}}
}

// publish runs publish, the publish to destination whose messages carry
// ctx, and returns its error, a panic inside it as a
// *sourceflow.PanicError; or, once ctx ended and heedGrace passed without
// it returning, abandons it and returns a transient failure saying so.
// While an abandoned call of destination runs, it fails at once without
// calling publish.
func (c *boundedCalls) publish(ctx context.Context, destination string, publish func() error) error {
	if a, ok := c.running(destination); ok {
		return fmt.Errorf("an earlier publish to it, abandoned after it did not return within its bound and did "+
			"not heed its context, has been running for %v: no new attempt until it returns",
			time.Since(a.since).Round(time.Millisecond))
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- recoveredPublish(publish) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	grace := time.NewTimer(c.grace)
	defer grace.Stop()
	select {
	case err := <-done:
		return err
	case <-grace.C:
	}
	c.abandon(destination, start, done)
	return fmt.Errorf("the publish did not return within %v and did not heed its context's end (%v): abandoned, "+
		"its result ignored; the message may still go out, and goes out again (at least once)",
		time.Since(start).Round(time.Millisecond), context.Cause(ctx))
}

// running returns destination's abandoned calls still running, if any.
func (c *boundedCalls) running(destination string) (abandonedCall, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.abandoned[destination]
	return a, ok
}

// abandon counts the call to destination begun at start, whose result
// done will give, as abandoned until it returns, then logs its end.
func (c *boundedCalls) abandon(destination string, start time.Time, done <-chan error) {
	c.mu.Lock()
	a, ok := c.abandoned[destination]
	if !ok {
		a.since = start
	}
	a.running++
	c.abandoned[destination] = a
	c.mu.Unlock()
	// #nosec G118 -- ends with the abandoned call, which the outbox cannot end.
	go func() { c.ended(destination, start, <-done) }()
}

// ended counts the end of an abandoned call to destination begun at start,
// which returned err, logging it unless an abandoned call's end was logged
// less than interval ago: the line is written before the destination is
// freed, so that once a new attempt can begin the end is in the log.
func (c *boundedCalls) ended(destination string, start time.Time, err error) {
	now := time.Now()
	c.mu.Lock()
	log := c.lastLine.IsZero() || now.Sub(c.lastLine) >= c.interval
	unlogged := c.unlogged
	if log {
		c.lastLine, c.unlogged = now, 0
	} else {
		c.unlogged++
	}
	c.mu.Unlock()
	if log {
		c.logEnd(destination, now.Sub(start), unlogged, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if a := c.abandoned[destination]; a.running > 1 {
		a.running--
		c.abandoned[destination] = a
	} else {
		delete(c.abandoned, destination)
	}
}

// logEnd logs the end of an abandoned call to destination that returned
// err after took, unlogged other ends having gone unlogged before it.
func (c *boundedCalls) logEnd(destination string, took time.Duration, unlogged int, err error) {
	fields := watermill.LogFields{"topic": c.topic, "destination": sourceflow.IDText(destination),
		"returned_after": took.Round(time.Millisecond).String(), "ended_unlogged_before": unlogged}
	result := "it published: the row was held, so its message goes out again"
	if err != nil {
		fields["error"], _ = oneLine(err)
		result = "it failed"
	}
	c.logger.Info("outbox: a publish abandoned at its bound returned, its result ignored ("+result+
		"); logged again at most every "+c.interval.String(), fields)
}
