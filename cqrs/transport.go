package cqrs

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// Transport moves SourceFlow messages between the parts of a service and
// between services. A destination is a name: the transport decides what it is
// (a gochannel topic, an SQS queue, an SNS topic). Service code never sees the
// transport, so the same wiring runs in process and on AWS.
//
// Its methods use only Watermill and root-package types, so transports live in
// their own packages without importing cqrs.
type Transport interface {
	// Bind hands the transport the service's routing once, before any
	// Publisher or Subscriber call. A transport validates, provisions or
	// resolves its resources here and reports every problem at once.
	Bind(ctx context.Context, b sourceflow.Binding) error
	// Publisher returns the publisher for a destination. Messages are
	// published with the destination name as the topic.
	Publisher(destination string) (message.Publisher, error)
	// Subscriber returns the subscriber for a listened destination.
	// Subscribe is called with the destination name as the topic.
	Subscriber(destination string) (message.Subscriber, error)
	// Close releases the transport's resources.
	Close() error
}
