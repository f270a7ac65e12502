package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// legacyTopic is the default Topic of the releases before TopicFor: one
// outbox, watermill_sourceflow_outbox, for every service on a database. No
// forwarder of a Transport whose Topic is defaulted reads it.
const legacyTopic = "sourceflow_outbox"

// legacyStaleAfter is the age past which a row of the earlier default
// outbox that its forwarders have yet to forward counts as stranded rather
// than in flight. A live forwarder of an earlier release (at the default
// PollInterval) takes a row within one poll, each database call of which is
// bounded by sqldb.DefaultPollBound, and tries a failed forward again after
// at most its longest backoff: twice that is about 71s. A row younger than
// that may be one an instance of the earlier release is forwarding during a
// rolling upgrade, which is no reason to log an error.
var legacyStaleAfter = 2 * (DefaultPollInterval + sqldb.DefaultPollBound + defaultBackoff.max)

// errLegacyRows is what checkLegacyOutbox logs: the old default outbox
// still holds rows no forwarder of this release reads unless a Config sets
// its Topic. Its advice is the CHANGELOG's.
var errLegacyRows = fmt.Errorf("the outbox %q, the default Topic of earlier releases, is read by no forwarder "+
	"whose Topic is defaulted: run, for each service that wrote to it, an instance with Config.Topic %q "+
	"until `sourceflow sql depth --outbox %s` shows it empty (redrive or purge its dead letters with "+
	"`sourceflow sql redrive|purge --outbox %s`), then drop its tables", legacyTopic, legacyTopic, legacyTopic, legacyTopic)

// checkLegacyOutbox logs, at error level, when the earlier releases'
// default outbox holds rows to forward older than legacyStaleAfter, or dead
// letters: an upgrade that dropped the old Topic strands them, silently
// otherwise. The line says how often it is logged again while they stay
// (looked_at_every). It reports whether that outbox's table exists. A failed
// look, or one unanswered within legacyLookBound, is logged at debug level
// and counts as the table existing, so that the look is tried again.
func checkLegacyOutbox(ctx context.Context, cfg Config, service string) (exists bool) {
	ctx, cancel := context.WithTimeout(ctx, legacyLookBound)
	defer cancel()
	rows, dead, exists, err := legacyRows(ctx, cfg)
	if err != nil {
		cfg.Logger.Debug("outbox: could not look for rows in the earlier default outbox", watermill.LogFields{
			"topic": legacyTopic, "err": err.Error()})
		return true
	}
	if rows+dead > 0 {
		cfg.Logger.Error("outbox: the earlier default outbox holds rows this service's outbox does not forward", errLegacyRows,
			watermill.LogFields{"topic": cfg.Topic, "service": service, "legacy_topic": legacyTopic,
				"legacy_rows": rows, "legacy_dead_letters": dead, "older_than": legacyStaleAfter.String(),
				"looked_at_every": legacyCheckInterval.String()})
	}
	return exists
}

// legacyRows counts the rows of the earlier default outbox its forwarders
// have yet to forward and that are older than legacyStaleAfter, and its
// dead letters; none when it has no table.
func legacyRows(ctx context.Context, cfg Config) (rows, dead int64, exists bool, err error) {
	rows, exists, err = sqldb.BacklogOlderThan(ctx, cfg.DB, cfg.Dialect, legacyTopic, consumerGroup, legacyStaleAfter)
	if err != nil || !exists {
		return 0, 0, exists, err
	}
	dead, err = sqldb.CountRows(ctx, cfg.DB, cfg.Dialect, deadLetterTable(legacyTopic))
	return rows, dead, true, err
}

// legacyCheckInterval is how often a running Transport whose Topic is
// defaulted looks at the earlier default outbox again, while its table
// exists: during a rolling upgrade the last instance of the earlier release
// stops after every upgraded instance started, and may leave rows there.
const legacyCheckInterval = time.Minute
