package sourceflow

// Consume markers a transport sets on a message before it hands it out, so
// the consume pipeline (the tracing middleware) can say which delivery it
// handles and what a failure of it leads to. Like the other consume markers
// (IsConsumeMarker) they describe one delivery and are never sent on.
const (
	// MetaDeliveryCount is the number of this delivery of the message, as a
	// decimal ("1" for its first): awsbus's SQS ApproximateReceiveCount.
	MetaDeliveryCount = "sf_delivery_count"
	// MetaLastDelivery is "true" on a delivery the transport will not repeat
	// when it fails: awsbus sets it on the last receive the queue's redrive
	// policy allows, and dead-letters the message when its handler fails.
	MetaLastDelivery = "sf_last_delivery"
	// MetaDeadLetterQueue names the queue the transport dead-letters the
	// message to when this delivery fails permanently (sourceflow.Permanent)
	// or, on its last delivery (MetaLastDelivery), at all.
	MetaDeadLetterQueue = "sf_dead_letter_queue"
	// MetaSubscription names the queue the transport received the message
	// from when it differs from the destination it was sent to: awsbus's
	// event queue of an event published to an SNS topic.
	MetaSubscription = "sf_subscription"
)
