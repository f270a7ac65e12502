package outbox

// DeadLettersByDestination returns, for each destination, how many rows
// this outbox's forwarder kept as dead letters since the transport was
// created (a row that is no forwarder envelope counts under the outbox
// Topic), plus the inner transport's own counts when it reports them (as
// cqrs's and awsbus's transports do). The counts only grow and are safe to
// read concurrently; the metrics package exports them as
// sourceflow.message.dead_lettered (metrics.Config.DeadLetters).
func (t *Transport) DeadLettersByDestination() map[string]int64 {
	out := t.dead.Snapshot()
	if inner, ok := t.cfg.Transport.(interface{ DeadLettersByDestination() map[string]int64 }); ok {
		for dest, n := range inner.DeadLettersByDestination() {
			out[dest] += n
		}
	}
	return out
}
