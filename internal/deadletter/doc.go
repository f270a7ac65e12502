// Package deadletter counts the messages a transport dead-letters, by
// destination (the queue or topic each was consumed from, or, for an
// outbox, the destination each was for: CountedAs). The awsbus and cqrs
// transports and the outboxes (outbox, cqrs/dynamostore) keep one Counts
// each and report its snapshot, which the metrics package exports as a
// counter per destination.
package deadletter
