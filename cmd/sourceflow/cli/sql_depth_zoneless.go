package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// warnZoneless warns, on w, of each table of f's destinations and outboxes
// (their messages' and their dead letters') that an earlier release
// created on PostgreSQL with a created_at without time zone, whose ages
// depth and dead-letters show are off by the difference of the session time
// zones: one line per table, in name order, naming the statement that
// converts it (sqldb.ZonelessWarning). One query for them all; none on
// MySQL. The warning only adds to what the command found: when the lookup
// fails, it says so on w instead; an interrupt (ctx cancelled) during the
// lookup returns its error, and the command fails as interrupted.
func warnZoneless(ctx context.Context, w io.Writer, c *sqlConn, f sqlDepthFlags) error {
	zoneless, err := sqldb.ZonelessTables(ctx, c.db, c.target.dialect, depthTables(f.target)...)
	switch {
	case errors.Is(err, context.Canceled) || (err != nil && errors.Is(ctx.Err(), context.Canceled)):
		return err
	case err != nil:
		fmt.Fprintf(w, "warning: could not check whether the tables' created_at holds a time zone on %s: %s\n",
			c.target.where(), printable(c.target.scrub(err).Error()))
	}
	for _, table := range zoneless {
		fmt.Fprintf(w, "warning: %s\n", printable(sqldb.ZonelessWarning(table)))
	}
	return nil
}

// depthTables returns the messages tables of t's destinations and outboxes
// and of their dead letters.
func depthTables(t sqlTarget) []string {
	var tables []string
	for _, d := range t.destinations {
		tables = append(tables, "watermill_"+sqlbus.Topic(d), "watermill_"+sqlbus.DeadLetterTopic(d))
	}
	for _, topic := range t.outboxes {
		for _, table := range outbox.Tables(topic) {
			if strings.HasPrefix(table, "watermill_") && !strings.HasPrefix(table, "watermill_offsets_") {
				tables = append(tables, table)
			}
		}
	}
	return tables
}
