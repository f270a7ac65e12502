package outbox

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/destgrace"
)

// relay is the forwarder's output: it publishes each unwrapped message to
// the inner transport's publisher of its destination, within attemptBound
// (calls), and reports each attempt to the observers.
type relay struct {
	inner     cqrs.Transport
	grace     *destgrace.Clock
	topic     string
	observers []sourceflow.RelayObserver
	calls     *boundedCalls
	bound     time.Duration

	mu   sync.Mutex
	pubs map[string]message.Publisher
}

// newRelay returns the relay of the outbox topic to inner, reporting to
// observers and logging the end of an abandoned publish through logger.
func newRelay(inner cqrs.Transport, topic string, observers []sourceflow.RelayObserver, logger watermill.LoggerAdapter) *relay {
	return &relay{inner: inner, grace: destgrace.NewClock(nil), topic: topic, observers: observers,
		calls: newBoundedCalls(logger, topic, failureLogInterval), bound: attemptBound,
		pubs: map[string]message.Publisher{}}
}

// Publish forwards msgs to destination (forward), each in a context that
// keeps none of the forwarder's values (detached) and ends at the
// attempt's bound, and reports the attempt of each to the observers, a
// panic too before it goes on (RunRelay).
func (r *relay) Publish(destination string, msgs ...*message.Message) error {
	if err := r.publish(destination, 0, msgs); err != nil {
		return forwardError{err}
	}
	return nil
}

// forwardError marks the relay's failure as it left Publish: Watermill's
// forwarder wraps it in words of its own ("cannot publish a message"),
// which holding takes off, so that a destination's failure reads the same
// from the forwarder and from the retry of its held rows, and failureLog
// logs it once, not again as a new error.
type forwardError struct{ err error }

func (e forwardError) Error() string { return e.err.Error() }
func (e forwardError) Unwrap() error { return e.err }

// publishHeld publishes a held row's message as Publish does, its
// destination having had no publisher for at least unknownFor on any
// instance (the held table's record: 0 when none), which counts towards
// the grace as this instance's own failures do.
func (r *relay) publishHeld(destination string, unknownFor time.Duration, msg *message.Message) error {
	return r.publish(destination, unknownFor, []*message.Message{msg})
}

func (r *relay) publish(destination string, unknownFor time.Duration, msgs []*message.Message) error {
	deadline := time.Now().Add(r.bound)
	cancels := make([]context.CancelFunc, len(msgs))
	defer func() {
		for _, cancel := range cancels {
			cancel()
		}
	}()
	for i, m := range msgs {
		var ctx context.Context
		ctx, cancels[i] = context.WithDeadline(detached{m.Context()}, deadline)
		m.SetContext(ctx)
	}
	if len(r.observers) == 0 {
		return r.forward(destination, unknownFor, msgs)
	}
	dones := make([]func(error), len(msgs))
	for i, m := range msgs {
		var ctx context.Context
		ctx, dones[i] = sourceflow.ObserveRelay(m.Context(), r.observers,
			sourceflow.Relayed{Outbox: r.topic, Destination: destination, Metadata: m.Metadata})
		m.SetContext(ctx)
	}
	return sourceflow.RunRelay(func() error { return r.forward(destination, unknownFor, msgs) }, dones...)
}

// forward publishes msgs to destination on the inner transport. A failure
// the inner transport marks sourceflow.Permanent is undeliverable; any
// other failure is transient and retried. That includes a destination the
// inner transport has no publisher for, until it has had none for
// destgrace.Grace on this forwarder or, as the held table records
// (unknownFor), on any: the row was written by an instance whose transport
// knew it, so this one runs another version (a rolling deploy) or is not
// bound yet, and an instance that knows it forwards it meanwhile. After
// that its rows are undeliverable. The publish is bounded (boundedCalls)
// by the context of the first message, which the others share (the
// forwarder and the retry publish one at a time).
func (r *relay) forward(destination string, unknownFor time.Duration, msgs []*message.Message) error {
	pub, err := r.publisher(destination)
	if err != nil {
		return r.unknown(destination, unknownFor, err)
	}
	r.grace.Found(destination)
	if len(msgs) == 0 {
		return nil
	}
	publish := func() error { return pub.Publish(destination, msgs...) }
	if err := r.calls.publish(msgs[0].Context(), destination, publish); err != nil {
		err = fmt.Errorf("outbox: forward to %q: %w", destination, err)
		if sourceflow.IsPermanent(err) {
			return undeliverable(err)
		}
		return err
	}
	return nil
}

// unknown is the failure to forward to a destination the inner transport
// gave no publisher for (err), which has had none for unknownFor on the
// outbox's instances (0: not known). Within the grace it is a
// noPublisherError.
func (r *relay) unknown(destination string, unknownFor time.Duration, err error) error {
	err = fmt.Errorf("outbox: no publisher for destination %q: %w", destination, err)
	if sourceflow.IsPermanent(err) {
		return undeliverable(err)
	}
	failing, over := r.grace.Failed(destination)
	if unknownFor > failing {
		failing, over = unknownFor, unknownFor >= destgrace.Grace
	}
	if over {
		return undeliverable(fmt.Errorf("%w (none for %v)", err, failing.Round(time.Second)))
	}
	return noPublisherError{err}
}

// noPublisherError is a transient failure for want of a publisher of the
// destination: the held table records since when (heldTable.markUnknown).
type noPublisherError struct{ err error }

func (e noPublisherError) Error() string { return e.err.Error() }
func (e noPublisherError) Unwrap() error { return e.err }

func (r *relay) publisher(destination string) (message.Publisher, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if pub, ok := r.pubs[destination]; ok {
		return pub, nil
	}
	pub, err := r.inner.Publisher(destination)
	if err != nil {
		return nil, err
	}
	r.pubs[destination] = pub
	return pub, nil
}

// Close does nothing: the inner transport owns its publishers.
func (*relay) Close() error { return nil }

// detached keeps the deadline and cancellation of the forwarder's context
// but none of its values, so the forwarder's own transaction does not travel
// with the forwarded message into the inner transport.
type detached struct{ context.Context }

func (detached) Value(any) any { return nil }
