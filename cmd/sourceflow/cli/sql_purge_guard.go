package cli

import (
	"context"
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// refuseConsumedTable refuses, as ExitDrift, to purge the outbox topic
// when its dead-letter table has consumer groups (rows in
// watermill_offsets_<topic>_dead_letters, which the outbox creates but
// never reads through): the table is then the messages
// table of the sqlbus destination <topic>_dead_letters (outbox.Config.Topic
// says the two must not meet), and purge would delete its messages. A
// misspelt --outbox could name it.
func (c *sqlConn) refuseConsumedTable(ctx context.Context, topic string) error {
	table := topic + outboxDeadLetterSuffix
	consumed, err := sqldb.HasGroups(ctx, c.db, c.target.dialect, table)
	if err != nil {
		return c.failure("sql purge "+topic, err)
	}
	if !consumed {
		return nil
	}
	return &ExitError{Code: ExitDrift, Err: fmt.Errorf("outbox %s on %s: its dead-letter table watermill_%s has consumer groups "+
		"(in watermill_offsets_%s): it holds the messages of an sqlbus destination, not dead letters; nothing deleted: "+
		"check the --outbox name (a service's outbox Config.Topic)", topic, c.target.where(), table, table)}
}
