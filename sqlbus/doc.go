// Package sqlbus is the SQL transport of SourceFlow: commands and events
// travel through tables of a PostgreSQL (13+) or MySQL 8 / MariaDB 10.5+
// database, using watermill-sql (github.com/ThreeDotsLabs/watermill-sql/v4)
// through cqrs.PubSubTransport. NewTransport(Config{DB, Dialect}) returns a
// cqrs.Transport; build one per service on the same database. The caller
// opens and closes the *sql.DB (pgx stdlib driver "pgx" for PostgreSQL,
// go-sql-driver/mysql "mysql"). On MySQL, set readTimeout and writeTimeout
// in the DSN (cqrs/sqlstore.Open adds 60s of each, so a database taken from
// a store has them): without them a query or a COMMIT on a server that
// stopped answering (a network partition) waits for good. Keep readTimeout
// above 30 s, the longest the server makes a publish wait for its topic's
// lock.
//
// # Why watermill-sql
//
// It already keeps per-consumer-group offsets in the database, orders a
// topic's messages and, on PostgreSQL, never skips a message whose
// transaction commits late (it orders rows by transaction id and reads only
// below pg_snapshot_xmin, so a long transaction on the database holds back
// the delivery of what committed after it began until it ends: keep
// transactions short). A database the services already run is then the
// whole broker: no SQS, no extra server, and tests run against the same
// PostgreSQL as the stores.
//
// # Tables
//
// Every destination is a topic (see Topic) and the topic's messages are rows
// of watermill-sql's default schema, created on first use:
//
//	watermill_<topic>          "offset" (BIGSERIAL / AUTO_INCREMENT), uuid VARCHAR(36),
//	                           created_at (TIMESTAMPTZ / TIMESTAMP), payload
//	                           (BYTEA / LONGBLOB), metadata JSON,
//	                           and on PostgreSQL transaction_id xid8
//	watermill_offsets_<topic>  consumer_group VARCHAR(255) PK, offset_acked, and
//	                           last_processed_transaction_id (PostgreSQL) or
//	                           offset_consumed (MySQL)
//
// and one table for every topic, FilterTable (see "Types a service does not
// handle"):
//
//	sqlbus_event_filters       topic, consumer_group, event_type (TEXT on
//	                           PostgreSQL; VARBINARY(255), (767) and (1024)
//	                           on MySQL), the three the primary key
//
// On MySQL the consumer_group columns are VARBINARY(767), compared byte for
// byte, whatever the database's default character set: a collation that
// ignores case would make two services whose names differ only in case one
// consumer group, and latin1 (MariaDB's default) cannot hold every service
// name. For the same reason the uuid column is VARCHAR(36) CHARACTER SET
// utf8mb4 COLLATE utf8mb4_bin: in latin1 the server refuses, on every
// publish, a message whose id holds a character outside it.
//
// The payload column is binary rather than watermill-sql's default JSON, so
// an encrypted or protobuf body travels unchanged. Metadata holds the
// SourceFlow envelope (sf_type, sf_id, ...).
//
// # Pruning
//
// Every Config.PruneInterval (a minute by default) each subscription
// deletes the rows of its destination that every consumer group of it has
// acknowledged, a thousand per statement, keeping the row at the slowest
// group's position (so the offsets go on from it). A service that is down
// keeps its group's position, and so every row it has yet to read: it
// gets them all when it is up again. A consumer group exists from its
// service's first subscription: a group created later (a new service, or
// one that never started before) starts at the first row kept, so it does
// not receive what the existing groups read and pruned before it first
// subscribed. Three things keep rows: a group that stopped consuming for
// good (a retired service) holds back the pruning of its destinations
// until RemoveConsumerGroup deletes it (ConsumerGroups lists a
// destination's groups with their backlogs); a destination no service ever
// subscribed to
// keeps every row, for the group that will read it; and dead letters stay
// until Redrive moves them back or they are deleted by hand. A negative
// PruneInterval keeps every row; Prune prunes a destination on demand.
//
// # Depths
//
// Depths reports, for each destination a service consumes, how many
// messages its consumer group has yet to handle and how many dead letters
// the destination holds, as sourceflow.QueueDepth values: a metrics
// DepthSource (metrics.DepthFunc) exports them as the AWS transport's queue
// depths are exported. A backlog that keeps growing is a service falling
// behind, or down; another service's growing backlog on a destination this
// service prunes is what holds its pruning back.
//
// A message the tables cannot hold unchanged on both databases is refused
// before it is written, with ErrInvalidMessage, marked permanent, naming it
// and why: an id longer than the uuid column's 36 characters or not valid
// UTF-8 (the databases refuse the row), an id holding a NUL byte
// (PostgreSQL refuses it), and metadata that is not valid UTF-8 (stored as
// JSON, each invalid byte would become U+FFFD). On MySQL a message whose
// row (id, payload and metadata, plus 1 KiB for the statement) is larger
// than the server's max_allowed_packet, read once per transport and
// counted with the escapes the driver adds when it interpolates
// parameters (interpolateParams=true), is refused
// the same way: the server refuses it on every try, at times with nothing
// but "driver: bad connection". The other messages of the publish are
// published.
// A retry cannot store such a message, so an outbox in front (package
// outbox) dead-letters it rather than holding up the rows behind it.
// A dead letter whose row does not fit, its message stored while the limit
// was larger (lowered since, or a fail-over to a server configured
// otherwise), first loses where its handler failed and has its reasons
// cut; when it still does not fit, it is copied on the server from its
// message's row (INSERT … SELECT, matched by id and the SHA-256 of the
// payload, the metadata and reason given as a parameter, the reasons cut
// to what the copy can send), so its payload never crosses the wire, and
// logged at info saying so. The limit read
// once decides, so a dead letter that fits costs no extra statement; a
// failed dead-letter publish reads the limit again.
//
// # Consumer groups and order
//
// A service consumes through a consumer group named after it, so its
// instances share a topic's messages and every subscribing service gets
// each event; a listening service's name must fit the consumer_group
// column (at most 255 characters of UTF-8, on MySQL at most 767 bytes, no
// NUL: see ErrInvalidConfig).
// Read from watermill-sql v4.1.2: a subscription reads up to 10
// rows past its group's offset in one transaction, hands them over one at a
// time, waiting for each acknowledgement, and stores the offset of the last
// one acknowledged when it commits. That transaction holds a lock of the
// topic and group: on MySQL watermill-sql's lock of the group's offsets row
// (SELECT ... FOR UPDATE); on PostgreSQL a transaction-scoped advisory lock
// taken before the read, which the read (at READ COMMITTED) follows, so it
// sees the position the lock's previous holder acknowledged. Instances of a
// group therefore take turns, never run two messages of a topic at once,
// and see them in offset order: the transport declares
// Capabilities{ConsumerGroups: true, Ordered: true}, and destinations whose
// name ends in ".fifo" are accepted. Instances split a destination's
// messages (none is handed to two of them, short of a redelivery) but do
// not balance them. A destination's throughput per group is that of one
// consumer; spread load over more destinations, and count on more
// instances for failover. Delivery is at least once: a
// message not acknowledged within Config.AckDeadline, or in flight when an
// instance stops, is read again. A service's Close waits for the handlers
// in flight up to Config.CloseTimeout (20 s by default) or its own
// cqrs.ServiceConfig.CloseTimeout, whichever is longer, then ends their
// contexts and leaves their messages to the table.
//
// On MySQL, watermill-sql's publisher lets a row with a lower AUTO_INCREMENT
// offset commit after a subscriber already acknowledged a higher one, and
// that row is never delivered (reproduced on MariaDB: a few of 800 messages
// from 8 concurrent publishers lost in most runs). sqlbus therefore
// publishes to a MySQL topic under a named lock (GET_LOCK "sqlbus:<topic>"),
// one insert per topic at a time, waiting up to 30 s for it (40 s on the
// client, should the server stop answering); the lock is released after
// the insert even when the publish's context ended, within 10 s, after
// which the publish fails and the connection is closed, which frees the
// lock once the server sees the session end (a server cut off from the
// client sees that only through its wait_timeout or TCP keepalive).
// PostgreSQL needs no such lock.
//
// # Types a service does not handle
//
// Each consumer group has an event type filter on each event destination
// it listens to, in place of the filter policy of awsbus's SNS
// subscriptions: the event types some version of the service that started
// handles there, kept in FilterTable (sqlbus_event_filters), shared by the
// service's instances (cqrs.PubSubConfig.TypeFilter). Each Start widens it,
// in one statement per type that adds a row unless it is there, with the
// types the service has a handler for on the destination (a type
// registered without a handler does not count); a failure fails Start.
// Nothing in a service narrows it: NarrowEventFilter does, for an operator
// who retired a type, and EventFilter reads it.
//
// An event of a type the service does not handle is acknowledged and
// dropped when the filter does not hold its type either (no version of
// the service handles it, so SNS would never have delivered it), after
// reading the filter again unless it was read in the last
// cqrs.TypeFilterReread (2s), so a newer version that started is seen by
// then (an instance that read the filter in the 2s before a newer
// version's Start widened it may drop an event of a type only that version
// handles received in the 2s after: WidenEventFilter ahead of the deploy
// closes that window); it is counted by the transport's
// FilteredByDestination, by the metrics middleware as
// sourceflow.event.filtered, and logged at debug level. An event of a type the filter holds, which a newer
// version handles, is retried, then dead-lettered, as a rolling deploy
// needs (see the README's "Evolving messages and state"), and so is any
// event while the filter cannot be read.
//
// # Dead letters
//
// A failing message is redelivered in process (Config.MaxDeliveries, by
// cqrs.PubSubTransport, pauses doubling from Config.RedeliveryDelay) while
// the subscription waits, then published with
// its reason in sourceflow.MetaFailure, and the consumer group (the
// service) that dead-lettered it in sourceflow.MetaDeadLetteredBy, and
// the host and version whose handler failed it in sourceflow.MetaFailedHost
// and sourceflow.MetaFailedVersion, to
// DeadLetterTopic(destination), a table like any other
// (watermill_<topic>$dlq) that every consumer group of the destination
// shares; a permanent failure and a
// message without a SourceFlow envelope go there at once. While the
// database is down the dead letter cannot be written either: the message
// stays on its topic, and when the database is back it is delivered again,
// so a message whose handler then succeeds is handled in its place in the
// order instead of being dead-lettered. DeadLetters reads the oldest of
// that table with plain SQL, up to a maximum, and counts the rest up to
// MoreDeadLettersBound (that count means at least that many); Redrive
// moves its messages back into the destination once their cause is fixed,
// each once, in the same transaction that takes it out (RedriveWith's
// ResetHops also takes out their hop counts, for messages dead-lettered at
// cqrs.ServiceConfig.MaxHops once the causation loop is fixed, and its
// Where moves only the dead letters it selects, by message, reason and
// when each was dead-lettered). Each message moved back counts one more
// redrive (sourceflow.MetaRedrives, sourceflow.MetaRedrivenAt).
//
// # Tracing
//
// Each message handed to a consumer carries the delivery markers of
// cqrs.PubSubTransport (sourceflow.MetaDeliveryCount and the rest; a
// sender's own are dropped): the tracing middleware's consumer span shows
// the delivery count, and a failure that dead-letters the message an event
// naming DeadLetterTopic(destination). Set the tracing Config's
// MessagingSystem to tracing.SQLBusSystem of the dialect ("postgresql" or
// "mysql"): its default, "gochannel", names the in-process transport.
//
// # Topic names
//
// watermill-sql accepts topics of letters, digits and "-$:._" and splices
// them into table names; PostgreSQL silently cuts identifiers at 63 bytes.
// Topic maps a destination to a topic that is safe on both databases and
// distinct from every other destination's, keeping the common names
// ("orders.fifo", "order-events") unchanged.
//
// # Polling and its cost
//
// An idle subscription queries its table every Config.PollInterval (100ms
// by default against watermill-sql's 1s, so a hop adds at most that much
// latency when idle); a subscription that found messages queries again at
// once. Each poll is one short transaction per destination, service and
// instance: 10 per second each by default. Give the pool at least one
// connection per subscription plus the publishers': a subscription holds
// its connection while its handler runs. A pool capped below that
// (DB.SetMaxOpenConns) would wedge, each handler waiting for a connection
// its own poll holds: a service's Start refuses it with ErrInvalidConfig,
// naming MaxOpenConns and how many the transport's subscriptions need (one
// each, plus one). Other users of the pool (the SQL stores, another
// transport) count on top of that, which the check cannot see.
//
// Each database call of a poll (its begin, each statement, its commit or
// rollback) gets at most Config.AckDeadline. A connection that went silent
// without being closed (behind a proxy or load balancer after a failover,
// what is sent on it is dropped) would otherwise hold the poll, and with it
// the subscription, for good: the poll ends instead with an error the
// subscriber logs through Config.Logger ("the database did not answer its
// begin within 30s"), the driver drops the connection, and the next poll
// runs on another. The poll first pings the pool's idle connections, all
// at once, and drops those that do not answer within 2s: the failure that
// silenced its connection silenced them too, and each would cost the next
// poll that takes it the whole bound. On PostgreSQL a poll waiting
// longer than the bound for its group's lock (another instance's batch of
// slow handlers) ends the wait on the server (lock_timeout) and begins
// again, on the same connection. A database that answers, only slower
// than the bound (a large batch, a long lock wait: on MySQL the wait for
// the group's offsets row is not ended on the server), has every poll cut
// the same way; the error says to raise Config.AckDeadline.
//
// While the database is down, or a subscription's polls fail for another
// reason, watermill-sql retries the poll about once a second and logs each
// failure ("Error querying for message") at error level. Each subscription
// passes the first to Config.Logger at once (field repeats_logged_every),
// then at most one a minute with the failures held back (failed_attempts,
// failing_for), and a failure whose error none of its recent lines gave at
// once (new_reason), at most one such a 10 s; its first poll that commits again logs, once at info
// level, "cleared: Error querying for message" with the number of failed
// polls.
//
// On PostgreSQL a message becomes visible once every write transaction that
// began before it, anywhere in the database cluster, has ended: a long
// write transaction (a batch job, a migration, a session idle in
// transaction) delays every topic until it ends. A subscription's poll
// stays open while the handlers of its batch run, but it is not such a
// transaction: its lock is an advisory lock and its read locks no row, so
// it has no transaction id until it acknowledges, just before it commits.
// (watermill-sql's own offsets adapter locks the offsets row, which gives
// the poll a transaction id for as long as its handlers run: a slow handler
// would delay the messages of every destination on the cluster by as long.)
//
// On MySQL a subscription reads at READ COMMITTED (watermill-sql's default
// is SERIALIZABLE, whose locks on the table's end would make a handler
// publishing to a table being read wait for itself); offsets stay gap-free
// because this package's publisher commits a topic's inserts one at a time.
// Other watermill-sql publishers writing to the same tables concurrently
// lose that guarantee: publish through the transport.
//
// # Connections in clear text
//
// The first Publish or Subscribe of a transport finds whether its
// connection is encrypted and where it goes (a pgx connection from its own
// socket; otherwise the server says: PostgreSQL's pg_stat_ssl, MySQL's
// Ssl_cipher); one that is not local (a unix socket, a loopback address)
// and either in clear text or in TLS that does not verify the server
// (anyone on the path can pose as the server) is logged once as a warning
// (through Config.Logger: its Warn method, or Info on a logger without
// one; slog.Default() at slog's Warn while Logger is unset or
// watermill.NopLogger, the default), naming the server's host:port and what to set in the DSN:
// sslmode=verify-full with sslrootcert on PostgreSQL (pgx's default,
// sslmode=prefer, falls back to clear text silently and verifies no
// certificate), tls=true or a config registered with
// mysql.RegisterTLSConfig on MySQL. Whether the server is verified comes
// from pgx's own TLS config (sslmode=prefer, pgx's default, or require
// without sslrootcert verify nothing). The transport is given Config.DB
// without its DSN, so on another driver (go-sql-driver, on MySQL and
// MariaDB) it cannot tell, and warns of clear text only: MySQL's
// tls=skip-verify or tls=preferred is warned of where the pool was opened
// from its DSN (sqlbackend.Open with Config.DSN, idempotency/sqlstore.Open,
// sourceflow sql). The check runs within the call's context, bounded (10s), and
// never fails a call; calls made meanwhile do not wait for it, and one whose
// context ends before the server answered leaves the check to a later call.
//
// # Tables of an earlier release
//
// On PostgreSQL a table created by an earlier release keeps its created_at
// as a TIMESTAMP without time zone, whose times (a backlog's age) read
// hours off when a reader's session time zone is not the writer's. A
// transport says so once per table, as a warning on Config.Logger (as
// above), when a subscription has started on a destination (its messages'
// and its dead letters' tables, in one query) and when a publish first
// writes to a topic, never on later publishes; the warning gives the ALTER
// TABLE that converts the table, which it never runs itself. A failed look
// is logged at debug level and made again by the next subscription. MySQL
// tables draw none: their TIMESTAMP holds the instant.
package sqlbus
