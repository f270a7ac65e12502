package cli

import (
	"context"
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// refuseDestinationTable refuses, as ExitDrift, to work on the dead
// letters of the outbox topic when its dead-letter table has a binary
// payload column: the outbox creates it with a JSON one, sqlbus its
// tables with a binary one, so the table is then the messages table of
// the sqlbus destination <topic>_dead_letters (outbox.Config.Topic says
// the two must not meet), and purge would delete its messages, redrive
// move them into the outbox, dead-letters list them and depth count them
// as dead letters. A
// misspelt --outbox could name it. The payload column tells the tables
// apart whether or not the destination has consumer groups yet. A lookup
// that cannot tell (on MySQL, a role that may not read the table) fails
// the command: it is never taken for an outbox's table.
func (c *sqlConn) refuseDestinationTable(ctx context.Context, command, topic string) error {
	table := topic + outboxDeadLetterSuffix
	binary, err := sqldb.WatermillBinaryPayload(ctx, c.db, c.target.dialect, table)
	if err != nil {
		return c.failure(command+" "+topic+": could not tell its dead-letter table from an sqlbus destination's, "+
			"so nothing was read, moved or deleted", err)
	}
	if !binary {
		return nil
	}
	return &ExitError{Code: ExitDrift, Err: fmt.Errorf("outbox %s on %s: its dead-letter table watermill_%s has a binary payload column, "+
		"as sqlbus creates its tables (an outbox's has a JSON one): it holds the messages of an sqlbus destination (its topic %s), not dead letters; "+
		"nothing read, moved or deleted: check the --outbox name (a service's outbox Config.Topic)", topic, c.target.where(), table, table)}
}
