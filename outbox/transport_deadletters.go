package outbox

// DeadLettersByDestination returns, for each destination, how many rows
// this outbox's forwarder kept as dead letters since the transport was
// created (a row that is no forwarder envelope, or whose destination is
// longer than 256 bytes or not UTF-8, counts under no destination, "",
// which no destination has: never with a destination named as the outbox
// Topic). The
// inner transport's own dead letters are not among them: it reports them
// itself, so give both to the metrics package (metrics.Config.DeadLetters)
// and each is counted once. The counts only grow and are safe to read
// concurrently; the metrics package exports them as
// sourceflow.message.dead_lettered.
func (t *Transport) DeadLettersByDestination() map[string]int64 {
	return t.dead.Snapshot()
}
