package cqrs

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// channelSubscriber relays gochannel messages to its consumer, redelivering
// failed ones a bounded number of times and dead-lettering the rest into the
// transport's list.
type channelSubscriber struct {
	t      *ChannelTransport
	relays relays
}

// Subscribe subscribes to the destination's gochannel topic. When ctx ends
// or Close is called, the subscription takes no new message, and the
// handlers in flight keep a live context for up to
// ChannelConfig.CloseTimeout to finish in; a message waiting between runs
// of its handler (a retrying middleware's pause after a failed run:
// middleware.Retry, idempotency's TxRetry) has its context ended at once,
// so the wait ends and the handler does not run again. Gochannel gives up on its
// messages as the subscription ends, so a message that fails meanwhile,
// waits for its next delivery, or is still in its handler when
// CloseTimeout runs out, is dead-lettered rather than redelivered; so is a
// message published while the subscription was in place that gochannel
// dropped as the subscription, or the transport, closed (see awaited). A
// delivery under way as the subscription ends tells its consume pipeline
// it became the last (sourceflow.IsLastDelivery), so the tracing
// middleware shows the dead letter of its failure. A
// Subscribe that Close overtook answers with a closed channel: once Close
// returned, no subscription of the subscriber runs.
func (s *channelSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if err := s.t.listen(topic); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	in, endSub, awaits, err := s.subscribeChannel(ctx, topic)
	if err != nil {
		cancel()
		s.t.unlisten(topic)
		return nil, err
	}
	r := redelivery{maxDeliveries: s.t.cfg.MaxDeliveries, delay: s.t.cfg.RedeliveryDelay, maxHinted: s.t.cfg.MaxRedeliveryDelay,
		drain: s.t.cfg.CloseTimeout, keepsNothing: true, handing: remark, holding: s.t.holding,
		deadLetter: s.t.keepDeadLetter, deadLetterQueue: ChannelDeadLetters, filter: s.t.filterOf(topic),
		outageLog: s.t.outages}
	live, endLive := r.deliveryContext(ctx)
	live = lastOnceEnded(live, ctx)
	out := make(chan *message.Message)
	relay := func() {
		defer endLive()
		refuse := func(m *message.Message) { r.refuse(ctx, topic, m) }
		msgs, gone := outliving(ctx, live, in, refuse, s.t.channelEnd(topic, ctx, endSub, awaits))
		r.relay(ctx, topic, msgs, out, func() {
			<-gone
			s.t.unlisten(topic)
		})
	}
	if !s.relays.start(cancel, relay) {
		// Close overtook this Subscribe: end the subscription here, as its
		// relay would (closing out), refusing what was published meanwhile.
		cancel()
		relay()
	}
	return out, nil
}

// lastOnceEnded returns live, the context the deliveries of the
// subscription whose context is sub run in, telling their consume
// pipeline that a delivery becomes its last once sub ended
// (sourceflow.ContextWithLastDelivery): a failure while the subscription
// drains is dead-lettered, since gochannel keeps nothing to deliver again
// (redelivery.drained), so the tracing middleware's span shows that dead
// letter as it does one after the last of MaxDeliveries. It is set once for
// the subscription, not on each delivery.
func lastOnceEnded(live, sub context.Context) context.Context {
	return sourceflow.ContextWithLastDelivery(live, func() bool { return sub.Err() != nil })
}

// subscribeChannel makes the gochannel subscription of topic, which
// outlives ctx until what was published to it arrived (see outliving), and
// records it as ready, awaiting what is published from now on. endSub ends
// it.
func (s *channelSubscriber) subscribeChannel(ctx context.Context, topic string) (in <-chan *message.Message, endSub context.CancelFunc, awaits *awaited, err error) {
	subCtx, endSub := context.WithCancel(context.WithoutCancel(ctx))
	ps, err := s.t.channel(topic)
	if err == nil {
		in, err = ps.Subscribe(subCtx, topic)
	}
	if err != nil {
		endSub()
		return nil, nil, nil, err
	}
	awaits = &awaited{}
	s.t.subscribed(topic, awaits)
	return in, endSub, awaits, nil
}

// keepDeadLetter keeps m, dead-lettered from topic, in the transport's
// list, with context.Background as its context. A refused message still
// has its publisher's context (gochannel preserves it on the synchronous
// transport), a failed one the synchronous chain it was published for, and
// deadLetterWithin ends the context it hands over: kept, that context
// would pin its values, cancel functions and chain for as long as the dead
// letter is kept, and give whoever reads the message or publishes it again
// a context that has ended.
func (t *ChannelTransport) keepDeadLetter(topic string, m *message.Message, reason string, deliveries int) error {
	m.SetContext(context.Background())
	t.deadLetter(DeadLetter{Destination: topic, Message: m, Reason: reason, Deliveries: deliveries})
	return nil
}

// outliving gives each message of in the context live. Gochannel gives a
// message a context of its subscription's, which would end it as the
// subscription ends; live ends later, after the drain. When ctx ends the
// subscription stops taking publishes (e.quiesce), and once those under way
// arrived the gochannel subscription ends (e.end), so that gochannel drops
// nothing a publish counted on. A message not handed on by then, and any
// gochannel hands over until it closes in, goes to refuse: gochannel keeps
// nothing to deliver again. Once in is closed, what the subscription
// awaited and never received is dead-lettered (e.ended), and then gone is
// closed.
func outliving(ctx, live context.Context, in <-chan *message.Message, refuse func(*message.Message), e subscriptionEnd) (msgs <-chan *message.Message, gone <-chan struct{}) {
	out, done := make(chan *message.Message), make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		handOn(ctx, live, in, out, refuse, e)
		refuseUntilClosed(in, refuse, e)
		e.ended()
	}()
	return out, done
}

// handOn hands the messages of in on to out, with the context live, until
// ctx ends or in is closed.
func handOn(ctx, live context.Context, in <-chan *message.Message, out chan<- *message.Message, refuse func(*message.Message), e subscriptionEnd) {
	for {
		select {
		case m, open := <-in:
			if !open {
				return
			}
			e.arrive(m)
			if ctx.Err() != nil { // ended while m was under way: not handed on
				refuse(m)
				return
			}
			m.SetContext(continueChain(e.handingOn(live, m), m))
			select {
			case out <- m:
			case <-ctx.Done():
				refuse(m)
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// refuseUntilClosed ends a subscription whose context ended: it refuses
// what arrives on in until the publishes under way arrived, then ends the
// gochannel subscription and refuses what arrives until in is closed.
func refuseUntilClosed(in <-chan *message.Message, refuse func(*message.Message), e subscriptionEnd) {
	idle := e.quiesce()
	for {
		select {
		case m, open := <-in:
			if !open {
				e.end()
				return
			}
			e.arrive(m)
			refuse(m)
		case <-idle:
			e.end()
			idle = nil
		}
	}
}

// Close ends this subscriber's subscriptions and waits for their relays.
func (s *channelSubscriber) Close() error {
	s.relays.stop()
	s.relays.wait()
	return nil
}
