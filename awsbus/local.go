package awsbus

import (
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
)

// Local carries the destinations that stay in process: those whose routing
// is disabled (DisableCommandRouting, DisableEventRouting) and, for
// subscribing, those whose listener is disabled. The gochannel transport of
// package cqrs satisfies it.
type Local interface {
	// Publisher returns the in-process publisher of destination.
	Publisher(destination string) (message.Publisher, error)
	// Subscriber returns the in-process subscriber of destination.
	Subscriber(destination string) (message.Subscriber, error)
}

// goChannelLocal is the default Local: one gochannel pub/sub for every
// destination, the destination name being the topic.
type goChannelLocal struct{ ch *gochannel.GoChannel }

func newGoChannelLocal(logger watermill.LoggerAdapter) *goChannelLocal {
	return &goChannelLocal{ch: gochannel.NewGoChannel(gochannel.Config{}, logger)}
}

func (l *goChannelLocal) Publisher(string) (message.Publisher, error)   { return l.ch, nil }
func (l *goChannelLocal) Subscriber(string) (message.Subscriber, error) { return l.ch, nil }
