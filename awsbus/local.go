package awsbus

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// Local carries the destinations that stay in process: those whose routing
// is disabled (DisableCommandRouting, DisableEventRouting) and, for
// subscribing, those whose listener is disabled. Config.Local is required
// whenever a Disable* switch is set. The Local should bound redeliveries and
// dead-letter what keeps failing, like the AWS path does; the
// ChannelTransport of package cqrs satisfies it and does both. A Local that
// also has Bind(ctx, sourceflow.Binding) error (as ChannelTransport does)
// gets the service's Binding when the Transport is bound, so it knows which
// destinations carry commands.
type Local interface {
	// Publisher returns the in-process publisher of destination.
	Publisher(destination string) (message.Publisher, error)
	// Subscriber returns the in-process subscriber of destination.
	Subscriber(destination string) (message.Subscriber, error)
}

// localBinder is a Local that wants the service's routing.
type localBinder interface {
	Bind(ctx context.Context, b sourceflow.Binding) error
}
