// Package deadletter counts the messages a transport dead-letters, by
// destination (the queue or topic each was consumed from, or, for an
// outbox, the destination each was for: CountedAs). The awsbus and cqrs
// transports and the outboxes (outbox, cqrs/dynamostore) keep one Counts
// each and report its snapshot, which the metrics package exports as a
// counter per destination.
//
// Fit makes a dead letter fit the size limit of what carries it, giving up
// its markers in the order every transport gives them up: where its
// handler failed first, then the length of its reasons (sqlbus for
// MySQL's max_allowed_packet, cqrs.PubSubTransport for
// PubSubConfig.MaxMessageBytes).
package deadletter
