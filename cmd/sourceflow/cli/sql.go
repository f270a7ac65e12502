package cli

import (
	"github.com/spf13/cobra"
)

const sqlLong = `sql inspects and maintains the tables of SourceFlow's SQL transport (package
sqlbus: commands and events through watermill-sql tables) and of a
transactional outbox (package outbox) on PostgreSQL or MySQL/MariaDB. It
needs a database, not AWS, and no topology file.

A destination is named as the services name it (--destination
payments.fifo): its messages are in the table watermill_<topic> and its dead
letters in watermill_<topic>$dlq, where <topic> is sqlbus.Topic of the name.
An outbox is named by its Config.Topic (--outbox outbox_payments, the
default topic of the service payments: outbox.TopicFor; sourceflow_outbox
before it was per service): its rows are in watermill_<topic> and its
dead letters in watermill_<topic>_dead_letters. A service name that is not
lower-case letters, digits and underscores, is longer than 25 bytes or
ends in "_" and 8 hexadecimal digits is cut and hashed (billing-api:
outbox_billing_api_48be48f7): outbox.TopicFor gives it, as does the
"topic" field of the outbox's logs.
dead-letters, redrive, purge and prune take exactly one of --destination
and --outbox. dead-letters, redrive and purge refuse an --outbox T whose
dead-letter table has a binary payload column (exit 1, nothing read, moved
or deleted): the outbox creates that table with a JSON payload, sqlbus its
tables with a binary one, so it is the messages table of the sqlbus
destination T_dead_letters.

  depth         messages a service has yet to handle, rows an outbox has yet
                to forward, and the dead letters of each
  dead-letters  list the dead letters of a destination or an outbox
  redrive       move the dead letters back (with --yes)
  purge         delete the dead letters, or those of one --type (with --yes)
  prune         delete the rows every consumer group has acknowledged
  groups        list a destination's consumer groups, remove a retired one
  filter        list the event types a service's consumer group takes from a
                destination, remove one no version handles (with --yes)

Connection: the DSN comes from the environment variable SOURCEFLOW_SQL_DSN,
which keeps the password out of the command line (and of ps), or from --dsn.
A DSN that starts with postgres:// or postgresql:// (in any case: POSTGRES://
too) opens PostgreSQL through pgx; any other is a go-sql-driver/mysql DSN
(user:password@tcp(host:3306)/db). --dialect postgres|mysql overrides the
guess (for a PostgreSQL DSN in key=value form). A MySQL DSN gets a
readTimeout and a writeTimeout of 60s, each unless it sets it, as the
services' stores do, so a server that stops answering fails the command
instead of hanging it; a DSN's own value is kept (readTimeout=0 turns it
off). Every command first checks the connection (a ping), which the
database must answer within --check-timeout (5s by default): one that is
down or frozen fails the command then (exit 3, "did not answer within
--check-timeout"), not at the end of --timeout (2m by default), which
bounds the whole command.
Messages name the database by its host and never show the password (nor
sslpassword, the TLS key's passphrase); a DSN is parsed as its driver reads
it before any connection.

Exit codes: 0 success; 2 usage (no DSN, a DSN that cannot be parsed, both or
neither of --destination and --outbox, an empty --destination or --type, an
--outbox that is no outbox topic, a --check-timeout that is not positive); 3 a database call
failed (the database is unreachable within --check-timeout or --timeout, a privilege is missing, a file the DSN names, such as
sslrootcert's, cannot be read) or redrive left dead letters behind; 1
groups --remove named a group the destination does not have, filter
--remove a type the filter does not hold, or
dead-letters, redrive or purge --outbox named a dead-letter table that is
an sqlbus destination's messages table; 130 interrupted.

Privileges: depth and dead-letters SELECT on the tables; redrive also
INSERT and DELETE (and CREATE the first time it writes into a destination
that has no table yet), on MySQL also the outbox lock table
sourceflow_outbox_locks for an outbox; purge and prune SELECT and DELETE;
groups SELECT, and DELETE on watermill_offsets_<topic> to remove a group.`

func newSQLCommand(g *globals) *cobra.Command {
	cmd := parentCommand(&cobra.Command{
		Use:   "sql",
		Short: "Inspect, redrive and prune the SQL transport's and the outbox's tables (needs a database)",
		Long:  sqlLong,
		Example: "  export SOURCEFLOW_SQL_DSN='postgres://ops@db.internal:5432/shop'\n" +
			"  sourceflow sql depth --service payments --destination payments.fifo --outbox outbox_payments\n" +
			"  sourceflow sql dead-letters --destination payments.fifo --payload\n" +
			"  sourceflow sql redrive --destination payments.fifo --yes\n" +
			"  sourceflow sql purge --destination payments.fifo --type orders.RefundOrder --yes\n" +
			"  sourceflow sql prune --destination payments.fifo --destination order-events\n" +
			"  sourceflow sql groups --destination order-events",
	})
	cmd.AddCommand(newSQLDepthCommand(g), newSQLDeadLettersCommand(g), newSQLRedriveCommand(g), newSQLPurgeCommand(g), newSQLPruneCommand(g), newSQLGroupsCommand(g), newSQLFilterCommand(g))
	return cmd
}
