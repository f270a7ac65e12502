package awsbus

import (
	"github.com/ThreeDotsLabs/watermill/message"
)

// Local carries the destinations that stay in process: those whose routing
// is disabled (DisableCommandRouting, DisableEventRouting) and, for
// subscribing, those whose listener is disabled. Config.Local is required
// whenever a Disable* switch is set. The Local should bound redeliveries and
// dead-letter what keeps failing, like the AWS path does; the
// ChannelTransport of package cqrs satisfies it and does both.
type Local interface {
	// Publisher returns the in-process publisher of destination.
	Publisher(destination string) (message.Publisher, error)
	// Subscriber returns the in-process subscriber of destination.
	Subscriber(destination string) (message.Subscriber, error)
}
