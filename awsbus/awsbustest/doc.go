// Package awsbustest provides in-memory fakes of the awsbus.SQSAPI and
// awsbus.SNSAPI client interfaces, and of topology.STSAPI, for unit tests.
//
// The fakes keep the semantics that awsbus relies on, so that a test against
// them can fail for the same reasons a run on AWS would:
//
//   - Queues, standard and FIFO. A FIFO queue hands out the messages of one
//     message group in order and holds the group back while any of its
//     messages is in flight; a deduplication id (or the body hash with
//     ContentBasedDeduplication) suppresses a repeat within five minutes.
//   - Visibility timeouts, receipt handles that change on every receive (a
//     delete with a stale handle succeeds but deletes nothing, as on AWS),
//     ChangeMessageVisibility (refused, as on AWS, when the timeout would end
//     more than 12 hours after the receive), receive counts and a
//     RedrivePolicy that moves a message to its dead-letter queue once it
//     has been received maxReceiveCount times.
//   - With SQSConfig.NewQueueDelay, a new queue that answers
//     QueueDoesNotExist for a while after CreateQueue, as AWS's may.
//   - PurgeQueue, which deletes every message at once, in flight or not,
//     and refuses another purge of the queue within 60 seconds.
//   - Long polling: ReceiveMessage waits up to WaitTimeSeconds, woken at once
//     by a send or a visibility change, and returns early when its context ends.
//     With SQSConfig.KeepCanceledPolls the poll then goes on without its
//     caller, as SQS's does, taking the messages that arrive before its wait
//     ends and leaving them invisible for their visibility timeout.
//   - The limits that bite in production: at most 10 message attributes,
//     non-empty attribute values, valid attribute names, XML-safe bodies, the
//     1 MiB message and batch size, 10 entries per batch, distinct entry ids.
//   - Topics with SQS subscriptions (subscribing a queue again with other
//     attributes is refused, InvalidParameter, as SNS does), raw message
//     delivery (a raw delivery with more than 10 attributes is dropped
//     silently, as SNS does), filter
//     policies on message attributes (or, with the MessageBody scope, on the
//     top-level string fields of a JSON body), and, when
//     SNSConfig.EnforceQueuePolicy is set, a queue policy that must allow the
//     topic to deliver. A
//     delivery the queue refuses goes to the dead-letter queue of the
//     subscription's RedrivePolicy (whose policy must allow the topic too
//     when EnforceQueuePolicy is set).
//   - STS GetCallerIdentity, answering with the SQS fake's account.
//
// Every operation counts its calls (Calls) and can be made to fail
// (FailNext) or, for batch operations, to fail some entries
// (FailNextEntries). The fakes are safe for concurrent use. Account id and
// region are configurable and default to values that no emulator uses, so
// product code that hard-codes an account id fails against them.
//
// The fakes check message bodies and attributes with their own code, written
// from the SQS rules, not with awsbus's: a rule awsbus gets wrong then fails
// against the fakes instead of being repeated by them.
package awsbustest
