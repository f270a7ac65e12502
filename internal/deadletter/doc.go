// Package deadletter counts the messages a transport dead-letters, by
// destination (the queue or topic each was consumed from). The awsbus and
// cqrs transports keep one Counts each and report its snapshot, which the
// metrics package exports as a counter per destination.
package deadletter
