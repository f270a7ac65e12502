package topology

import "github.com/sourceflow-go/sourceflow"

// Endpoint is a destination resolved to its AWS resource.
type Endpoint struct {
	// Name is the destination name the model uses (a queue or topic name).
	Name string
	// Kind is KindCommand for an SQS queue, KindEvent for an SNS topic.
	Kind sourceflow.Kind
	// QueueURL is the queue a command is sent to, or, for a listened event
	// destination, the service's own event queue subscribed to the topic.
	QueueURL string
	// DLQURL is the dead-letter queue of QueueURL.
	DLQURL string
	// MaxReceiveCount is the maxReceiveCount of QueueURL's RedrivePolicy,
	// as Create set it or Validate and Assume read it. A message nacked on
	// that receive is dead-lettered by the Subscriber with its failure.
	// 0 (unknown, or no redrive policy) leaves it to the redrive policy.
	MaxReceiveCount int
	// TopicARN is the topic an event is published to.
	TopicARN string
	// FIFO is true for .fifo queues and topics.
	FIFO bool
	// Region is the region of a Foreign queue or topic (named by ARN),
	// where sending or publishing to it must go; empty for the service's
	// own queues and topics, in the clients' region.
	Region string
}
