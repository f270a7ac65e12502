package dynamostore

// DeadLettersByDestination returns, for each destination, how many messages
// this Outbox's sweeps kept as dead letters since NewOutbox (a message
// whose destination is empty, longer than 256 bytes or not UTF-8 counts
// under no destination, "", which no destination has: never with a
// destination named as OutboxConfig.Name). A message is counted once its
// reason is written: one another instance took over meanwhile is that
// instance's to count, and a message redriven and kept again is counted
// again. The inner transport's own dead letters are not among them: it
// reports them itself, so give both to the metrics package
// (metrics.Config.DeadLetters) and each is counted once. The counts only
// grow and are safe to read concurrently; the metrics package exports them
// as sourceflow.message.dead_lettered.
func (o *Outbox) DeadLettersByDestination() map[string]int64 {
	return o.dead.Snapshot()
}
