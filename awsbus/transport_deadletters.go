package awsbus

// DeadLettersByDestination returns, for each destination this transport's
// subscribers consume, how many messages they copied to its dead-letter
// queue since the transport was created: permanent failures, messages that
// cannot be decoded, and messages on the last receive the redrive policy
// allows. A message the redrive policy moves on its own (no dead-letter
// queue configured, or a failed copy) is not counted; one whose copy was
// sent but whose delete failed comes back and is copied, and counted,
// again (on a FIFO queue SQS drops the second copy as a duplicate). A
// Subscriber made by NewSubscriber rather than by a Transport reports no
// counts. The counts only grow and are safe to read concurrently; the
// metrics package exports them as sourceflow.message.dead_lettered
// (metrics.Config.DeadLetters).
func (t *Transport) DeadLettersByDestination() map[string]int64 {
	return t.dead.Snapshot()
}
