package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/internal/slogdefault"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// closeBound is how long Close may take already: the forwarder's close
// timeout (Watermill's default, 30s) for the row it is forwarding. Close's
// count of the rows left ends by then.
const closeBound = 30 * time.Second

// leftCountBound bounds Close's count of the rows left, so that a database
// that stopped answering holds Close at most that much longer.
var leftCountBound = 5 * time.Second

// warnLeft logs, as a warning, how many rows of the outbox the stopped
// forwarder left unforwarded (its backlog and its held rows, as Depths
// counts them; up to a batch of them may have gone out already and go out
// again), and that the next instance of the service forwards them. The
// count ends leftCountBound from now, or closeBound after start, if
// sooner; a count that failed or ran out of time is logged at debug level.
func (t *Transport) warnLeft(start time.Time) {
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(closeBound))
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, leftCountBound)
	defer cancel()
	n, err := unforwarded(ctx, t.cfg)
	fields := watermill.LogFields{"topic": t.cfg.Topic}
	switch {
	case err != nil:
		fields["err"] = err.Error()
		t.cfg.Logger.Debug("outbox: could not count the rows left in the outbox at Close", fields)
	case n > 0:
		fields["rows"] = n
		slogdefault.Warn(t.cfg.Logger, leftWarning(n, t.cfg.Topic, t.servedBy()), fields)
	}
}

// unforwarded counts the rows of cfg's outbox the forwarders have yet to
// forward: those after their position and the held ones.
func unforwarded(ctx context.Context, cfg Config) (int64, error) {
	backlog, err := sqldb.Backlog(ctx, cfg.DB, cfg.Dialect, cfg.Topic, consumerGroup)
	if err != nil {
		return 0, err
	}
	held, err := sqldb.CountRows(ctx, cfg.DB, cfg.Dialect, heldPrefix+cfg.Topic)
	return backlog + held, err
}

// servedBy names, in leftWarning, what forwards the rows left: the next
// instance of the service the outbox was named after, or the next outbox
// bound with its Topic.
func (t *Transport) servedBy() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.namedBy != "" {
		return "the next instance of service " + t.namedBy
	}
	return "the next outbox bound with Topic " + t.cfg.Topic
}

// leftWarning is the warning of n rows of topic's outbox left at Close.
func leftWarning(n int64, topic, servedBy string) string {
	return fmt.Sprintf("outbox: closed with %d rows of outbox %s not yet forwarded: they stay in the database "+
		"and %s forwards them once it starts; a short-lived sender (a job, a CLI) should wait "+
		"until outbox.Depths shows its outbox empty before it closes, or send without an outbox", n, topic, servedBy)
}
