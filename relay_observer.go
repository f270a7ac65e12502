package sourceflow

import "context"

// RelayObserver observes an outbox's relay: its forwarding of the messages
// transactions wrote into the outbox to the transport that carries them
// (the outbox package's Config.RelayObservers, cqrs/dynamostore's
// OutboxConfig.RelayObservers). The metrics package's
// Metrics.RelayObserver counts and ages the forwards, the tracing
// package's Tracing.RelayObserver gives each one a span.
type RelayObserver interface {
	// Relay is called before one attempt to forward one message, with the
	// context it is to be published with. It returns the context to publish
	// it with instead and the function the outbox calls, once, with the
	// attempt's result (nil when the message went out; a *PanicError
	// when its publish panicked, as RunRelay reports it). It may change
	// r.Metadata, the message's metadata (the tracing observer writes its
	// span's trace context there). It must not block.
	Relay(ctx context.Context, r Relayed) (context.Context, func(error))
}

// Relayed is one message an outbox forwards.
type Relayed struct {
	// Outbox names the outbox: the SQL outbox's Topic, the DynamoDB
	// outbox's Name.
	Outbox string
	// Destination is the queue or topic the message is forwarded to.
	Destination string
	// Metadata is the message's metadata: its MetaOccurredAt tells its
	// age, its MetaTraceParent the trace it was sent in.
	Metadata map[string]string
}

// ObserveRelay calls Relay of each of observers in turn, each with the
// context the one before returned, and returns the last context and a
// function that calls their result functions, last first. Without
// observers it returns ctx and a function that does nothing, and
// allocates nothing. Run the attempt with RunRelay, which calls that
// function with its result even when the publish panics.
func ObserveRelay(ctx context.Context, observers []RelayObserver, r Relayed) (context.Context, func(error)) {
	switch len(observers) {
	case 0:
		return ctx, relayIgnored
	case 1:
		return observers[0].Relay(ctx, r)
	}
	dones := make([]func(error), len(observers))
	for i, o := range observers {
		ctx, dones[i] = o.Relay(ctx, r)
	}
	return ctx, func(err error) {
		for i := len(dones) - 1; i >= 0; i-- {
			dones[i](err)
		}
	}
}

func relayIgnored(error) {}
