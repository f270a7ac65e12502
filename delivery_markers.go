package sourceflow

// Consume markers a transport sets on a message before it hands it out, so
// the consume pipeline (the tracing middleware) can say which delivery it
// handles and what a failure of it leads to. Like the other consume markers
// (IsConsumeMarker) they describe one delivery and are never sent on: a
// transport drops the sender's and sets its own. awsbus, cqrs's
// ChannelTransport and PubSubTransport (so sqlbus too) set them.
const (
	// MetaDeliveryCount is the number of this delivery of the message, as a
	// decimal ("1" for its first): awsbus's SQS ApproximateReceiveCount, the
	// in-process delivery of cqrs's transports (PubSubTransport's goes on
	// counting when its Pub/Sub takes a message back and delivers it again
	// to the same subscription, and starts from one on another instance).
	MetaDeliveryCount = "sf_delivery_count"
	// MetaLastDelivery says, on a delivery the transport will not repeat when
	// it fails, that a failure dead-letters the message: LastDelivery or
	// LastDeliveryUnlessInProgress. awsbus sets it on the last receive the
	// queue's redrive policy allows, cqrs's transports on the last of
	// MaxDeliveries. A delivery that becomes the last after it was handed
	// out (cqrs's ChannelTransport's, as it closes) says so through its
	// context instead (ContextWithLastDelivery); IsLastDelivery reads both.
	MetaLastDelivery = "sf_last_delivery"
	// MetaDeadLetterQueue names where the transport dead-letters the message
	// when this delivery fails permanently (sourceflow.Permanent) or, on its
	// last delivery (MetaLastDelivery), at all: awsbus's dead-letter queue,
	// PubSubTransport's dead-letter topic (sqlbus.DeadLetterTopic),
	// ChannelTransport's list of dead letters (cqrs.ChannelDeadLetters).
	MetaDeadLetterQueue = "sf_dead_letter_queue"
	// MetaSubscription names the queue the transport received the message
	// from when it differs from the destination it was sent to: awsbus's
	// event queue of an event published to an SNS topic.
	MetaSubscription = "sf_subscription"
	// MetaStoreFailureUncounted is set to "true", next to MetaLastDelivery,
	// on a last delivery whose failure that found the service's store
	// unavailable (ErrStoreUnavailable, marked MetaStoreUnavailable) does
	// not dead-letter the message: the transport delivers it again without
	// counting the failure (cqrs's ChannelTransport and PubSubTransport,
	// within cqrs.StoreOutageWait of the message's first such failure).
	// awsbus, which counts such a failure as any other, does not set it.
	MetaStoreFailureUncounted = "sf_store_failure_uncounted"
)

// Values of MetaLastDelivery.
const (
	// LastDelivery: any failure of this delivery dead-letters the message
	// (awsbus, ChannelTransport).
	LastDelivery = "true"
	// LastDeliveryUnlessInProgress: a failure of this delivery dead-letters
	// the message, but one that found it held elsewhere (ErrInProgress,
	// marked MetaInProgress) hands it back to its Pub/Sub for a later
	// delivery (cqrs.PubSubTransport, so sqlbus). PubSubTransport also hands
	// back a delivery that fails while its subscription drains (Close),
	// after the consume pipeline read this marker.
	LastDeliveryUnlessInProgress = "unless_in_progress"
)
