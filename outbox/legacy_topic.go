package outbox

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// legacyTopic is the default Topic of the releases before TopicFor: one
// outbox, watermill_sourceflow_outbox, for every service on a database. No
// forwarder of a Transport whose Topic is defaulted reads it.
const legacyTopic = "sourceflow_outbox"

// errLegacyRows is what warnLegacyOutbox logs: the old default outbox still
// holds rows no forwarder of this release reads unless a Config sets its
// Topic.
var errLegacyRows = fmt.Errorf("the outbox %q, the default Topic of earlier releases, is read by no forwarder "+
	"whose Topic is defaulted: until it is empty keep Config.Topic %q on every service that wrote to it "+
	"(check with `sourceflow sql depth --outbox %s`; redrive or purge its dead letters with "+
	"`sourceflow sql redrive|purge --outbox %s`), then drop its tables", legacyTopic, legacyTopic, legacyTopic, legacyTopic)

// warnLegacyOutbox logs, at error level, once per start of a Transport
// whose Topic TopicFor(service) gave it, when the earlier releases' default
// outbox still holds rows to forward or dead letters: an upgrade that
// dropped the old Topic strands them, silently otherwise. A failure to look
// is logged at debug level: it does not stop the start.
func warnLegacyOutbox(ctx context.Context, cfg Config, service string) {
	if service == "" || cfg.Topic == legacyTopic {
		return
	}
	rows, dead, err := legacyRows(ctx, cfg)
	if err != nil {
		cfg.Logger.Debug("outbox: could not look for rows in the earlier default outbox", watermill.LogFields{
			"topic": legacyTopic, "err": err.Error()})
		return
	}
	if rows+dead == 0 {
		return
	}
	cfg.Logger.Error("outbox: the earlier default outbox holds rows this service's outbox does not forward", errLegacyRows,
		watermill.LogFields{"topic": cfg.Topic, "service": service, "legacy_topic": legacyTopic,
			"legacy_rows": rows, "legacy_dead_letters": dead})
}

// legacyRows counts the rows of the earlier default outbox its forwarders
// have yet to forward, and its dead letters; none when it has no table.
func legacyRows(ctx context.Context, cfg Config) (rows, dead int64, err error) {
	found, err := sqldb.WatermillTableExists(ctx, cfg.DB, cfg.Dialect, legacyTopic)
	if err != nil || !found {
		return 0, 0, err
	}
	if rows, err = sqldb.Backlog(ctx, cfg.DB, cfg.Dialect, legacyTopic, consumerGroup); err != nil {
		return 0, 0, err
	}
	dead, err = sqldb.CountRows(ctx, cfg.DB, cfg.Dialect, deadLetterTable(legacyTopic))
	return rows, dead, err
}
