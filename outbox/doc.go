// Package outbox is a transactional outbox for SourceFlow services: a
// cqrs.Transport in front of another transport (the inner one: awsbus,
// sqlbus, a ChannelTransport, any Watermill Pub/Sub through
// cqrs.PubSubTransport) that writes the messages of a database transaction
// into that transaction and publishes them after it commits.
//
// # Why an outbox
//
// A handler that saves state and then publishes makes two writes to two
// systems: a crash between them, or a rollback after the publish, loses a
// message or sends one for a change that never happened. With the outbox the
// message is a row written in the same transaction as the state, so both
// commit or neither does, and a forwarder relays committed rows to the inner
// transport.
//
// # What joins the transaction
//
// Transport.Publisher returns a publisher that looks at each message's
// context (msg.Context(), which cqrs sets to the context of Send or of the
// handler raising an event). When it carries a transaction on Config.DB (one
// begun by cqrs/sqlstore's Store.WithinTx, idempotency/sqlstore's WithinTx,
// or handed over with idempotency/sqlstore.ContextWithTx), the message is
// written into the outbox table through watermill-sql's publisher on that
// *sql.Tx, wrapped by Watermill's components/forwarder publisher (which
// records the destination with the message). A message sent outside any
// transaction is published straight to the inner transport, as without the
// outbox: there is no write to pair it with. So the caller decides: send
// inside the transaction that changes the state, and the send is
// transactional. Transport is a cqrs.OutboxTransport, so a service whose
// stores are sourceflow.Transactors (cqrs/sqlstore) on Config.DB also begins
// that transaction itself: a saga's new state and the events it raises, and
// a command's entry in the CommandStore and its send, commit together even
// when no caller began a transaction. Service decorators (tracing, encryption) run before the
// outbox, so what is stored is what the inner transport would have received.
// The outbox tables are created by Bind when missing: DDL cannot run inside
// the caller's transaction.
//
// # Forwarding
//
// Bind starts Watermill's forwarder: a watermill-sql subscriber of the
// outbox topic in the consumer group "sourceflow_outbox_forwarder", whose
// messages are unwrapped and published to the inner transport's publisher of
// their destination. The forwarder reads up to 10 rows per query and
// forwards them one at a time; each row's offset is acknowledged after its
// publish, in the query's transaction, which commits when the batch is
// done (or at a row whose publish failed, below). Delivery is therefore at
// least once: an instance that crashes, or is closed (Transport.Close), in
// the middle of a batch leaves the rows of that batch it already published
// (up to 10) to be forwarded again. Messages keep their SourceFlow message id, so consumers'
// idempotency (package idempotency) absorbs the repeats.
//
// # A failing destination holds only its own rows
//
// A transient failure to publish a row (anything the inner transport does
// not mark sourceflow.Permanent, a destination without a publisher during
// its grace included, below) holds the row: the forwarder writes it into
// the table sourceflow_outbox_held_<Topic> in the poll's transaction that
// acknowledges it, so the hold and the acknowledgement commit together or
// not at all (a crash before the commit leaves the row to be read again).
// Every later row for the same destination is held behind it, in order,
// without an attempt, while the rows for other destinations go out at
// once: messages to different destinations have no order between them, so
// one failing queue (its KMS key disabled, the queue deleted) holds up its
// own messages only, as the DynamoDB outbox does. Each forwarding instance
// looks for the destinations with held rows every second (through an
// index, however many rows are held; at most 1,000 a look, each look
// reading on after the last destination the previous one read, so every
// held destination gets its turn however many others stay stuck) and
// gives each a relay of its own,
// which relays the destination's held rows in order until none is left,
// up to 100 in one transaction, for at most a second, and deleted in it
// (a crash before its commit relays them again; a transient failure
// commits the deletes of the rows before it), and after a failure tries
// again 100ms later, doubling with each failure in a row up to 5s. Up to
// 4 relays of an instance relay at once, each on a connection of its own,
// a transaction at a time and then behind the others waiting, so a destination with thousands of held
// rows keeps no other waiting until it has none left. A relay holds a
// lock of its destination that writes nothing (an advisory lock on
// PostgreSQL, GET_LOCK on MySQL), so that instances relay a destination's
// held rows one at a time and hold up no other reader meanwhile; an
// instance that finds the lock taken leaves that destination to its
// holder until its next look. A relay that hangs therefore holds up its
// own destination only, on every instance: on the same instance the other
// destinations have relays of their own (a publish that hangs keeps one of
// the 4 for at most an attempt's bound, below), on the others the lock is taken, as it is while the session of
// an instance that died is not yet found dead by the database. Once a
// destination has no held rows left, its rows go straight out again. A
// held row is never dropped while its failure is transient. The failures are logged per destination: the first, then
// at most once a minute, then the recovery, once ("forwarding resumed",
// with the number of failed attempts). A failure of the database while the
// held rows are relayed is logged once for all the held destinations'
// relays of an instance, then at most once a minute, then its end
// ("cleared: …").
//
// A failure of the database to look for held rows or to hold one, or a
// panic of the inner transport (logged as a sourceflow.PanicError
// describes it), ends the poll: the row is not acknowledged, the offsets of
// the rows forwarded before it in the batch commit, and the forwarder waits
// outside any transaction (100ms after the first failure, doubling with
// each failure in a row up to 5s) before it reads the row again. The poll's
// transaction holds the forwarders' lock of the outbox (on PostgreSQL an
// advisory lock, so the poll has no transaction id until it acknowledges,
// and an attempt holds up no other reader of the cluster; see package
// sqlbus, "Polling and its cost"). A row held, or dead-lettered (below), is
// written in the poll's transaction, which from then on has a transaction
// id: the attempts on the rest of its batch (up to 9 rows) hold up the
// other readers of the cluster until it commits.
//
// Each attempt to publish a row, the forwarder's and the relay's of a held
// row, is bounded: the context of its messages ends after 30 s, and a
// publish that has not returned a second after that (an inner publisher
// that ignores its context, as watermill-aws's SNS publisher, which calls
// AWS with context.Background(), while its endpoint does not answer) is
// abandoned. The attempt is then the row's transient failure, logged as
// any ("the publish did not return within … and did not heed its
// context's end"), and the row is held. The forwarder relays its rows one
// at a time, so it waits for one such attempt, 31 s at most, and then goes
// on with the other destinations; its poll's ack deadline (watermill-sql's
// AckDeadline, 46 s) leaves the hold the time to commit in the poll. The
// abandoned call keeps running in its goroutine, since nothing can stop
// it; its result is ignored, and its end, if it comes, is logged at most
// once a minute. A destination whose abandoned call is still running gets
// no new attempt until it returns (its rows stay held, each retry failing
// at once), so a dead endpoint costs one goroutine per destination (two
// when the forwarder and the relay attempted it at the same moment), not
// one per attempt. A message the abandoned call publishes after all goes
// out again with its held row: at least once, as always. Close does not
// wait for an abandoned call.
//
// A row that can never be delivered is dead-lettered at once: a payload
// that is not a forwarder envelope, metadata that is not a JSON object of
// strings, or a failure the inner transport marks
// sourceflow.Permanent. A destination the inner transport has no publisher
// for is held and retried like a failed publish, until it has had none on
// this instance for 15 minutes: the row was written by an instance whose
// transport knew it, so this one runs another version (a rolling deploy
// that adds a route) or is not bound yet, and an instance that knows it
// relays the held rows meanwhile. After that the destination's held rows,
// and its later rows, are dead-lettered, with the reason, in order; until
// then they wait, while the rows for other destinations go on (a
// destination no running version knows: a removed route, a rollback past
// the version that added it). The 15 minutes count from the first such
// failure on any instance, recorded with the held rows (a restart does not
// start them again), or from this instance's own first failure if that is
// earlier, until an instance finds a publisher for the destination. An instance of an older
// version that keeps forwarding for more than 15 minutes after a route was
// added dead-letters the rows of that route it takes: finish rolling
// deploys within that time.
// Watermill's PoisonQueue middleware writes it, with its reason in
// sourceflow.MetaFailure, into the table watermill_<Topic>_dead_letters, in
// the same transaction that acknowledges it (a held row: that deletes it
// from the held table; on MySQL a row larger than the server's
// max_allowed_packet, written while the limit was larger or on a server
// configured otherwise, is copied on the server from its outbox or held
// row, with its metadata and reason (cut to what the copy can send) as a
// parameter, and logged at info saying so: an INSERT of it would be refused on every try and hold up
// every destination), and the forwarder logs it,
// once that transaction commits, at error level with the reason (at most
// 1024 bytes: its beginning and its end), the destination and the
// forwarded message's id (Config.Logger); DeadLetters reads the oldest of
// them, up to a maximum, and counts the rest up to MoreDeadLettersBound
// (that count means at least that many), and
// Redrive writes them back into the outbox once their cause is fixed
// (RedriveWith's ResetHops also takes out their messages' hop counts, and
// its Where moves only the dead letters it selects); each row moved back
// counts one more redrive (sourceflow.MetaRedrives).
//
// # Pruning
//
// A forwarding instance deletes the rows the forwarders forwarded or
// dead-lettered every Config.PruneInterval (a minute by default), a
// thousand per statement, so the outbox table holds what is still to
// forward instead of every message ever sent. It reads the consumer group's
// acknowledged position without locking it, and deletes only rows before
// it: that position only moves forward, and every row before it was read
// (on PostgreSQL only rows of ended transactions are read, on MySQL rows
// commit in offset order), so a row not yet forwarded is never deleted. The
// last forwarded row is kept, so the offsets go on from it whatever the
// database does with an emptied table. Dead letters stay in their own
// table until Redrive takes them. A negative PruneInterval keeps every row;
// the function Prune prunes on demand.
//
// Depths reports the rows the forwarders have yet to forward (the held
// rows included) and the dead letters as sourceflow.QueueDepth values, for
// a metrics DepthSource: a backlog that keeps growing is an inner transport
// that keeps failing, or forwarders that cannot keep up. The pruning leaves
// the held table alone: a held row leaves it when it is relayed or
// dead-lettered.
//
// # Relay telemetry
//
// Config.RelayObservers (sourceflow.RelayObserver) are told of each
// attempt of the forwarder to forward a message, with the outbox's Topic,
// the destination and the message's metadata, and then of its result.
// metrics.Metrics.RelayObserver exports sourceflow.outbox.relay.relayed
// and sourceflow.outbox.relay.failures (counters, "{message}", the latter
// with error.type) and sourceflow.outbox.relay.age (histogram, seconds
// since the message's sourceflow.MetaOccurredAt, at each attempt), by
// sourceflow.outbox.name (the Topic) and messaging.destination.name. The
// forwarder relays each destination's rows in order and retries a failing
// destination's first held row before the rows behind it, so a destination
// that keeps failing records ever older ages and failures while its
// relayed stays flat; a
// forwarder that stopped records nothing, which Depths' growing backlog
// shows. tracing.Tracing.RelayObserver gives each attempt a "relay
// <destination>" producer span, the child of the send span the row carries
// and the parent of the consumer's: send into the outbox, relay, process.
// Without observers the forwarder spends nothing on them.
//
// # Order
//
// One consumer group reads the outbox in order and delivers one row at a
// time, so rows are forwarded in the order watermill-sql reads them: on
// PostgreSQL by transaction id, then by insertion (a row becomes visible once
// every older transaction has ended, so a long transaction anywhere in the
// database delays forwarding); on MySQL by the auto-increment offset. The
// MySQL forwarder reads above the last forwarded offset without locking, so
// a row that commits after a later one was forwarded would be skipped: a
// transaction therefore takes its topic's row in the table
// sourceflow_outbox_locks before its first outbox row, and transactions
// that write into one outbox commit one after another from that point (the
// cost of correct order on MySQL; keep such transactions short). The lock
// is taken at the first outbox write, after the rows the transaction already
// locked, so two instances can lock in opposite orders (a saga's entity row,
// then the topic; the topic, then the entity row): MySQL then rolls one back
// with a deadlock error and its message is delivered again. A row being
// retried (held) holds back the later rows for its destination only: the
// order kept is each destination's.
//
// On PostgreSQL, transaction id order is the order in which the writing
// transactions took their ids, which a transaction does at its first write
// of any kind (to any table, a row lock included): not the order in which
// they reserved an entity's sequence numbers, nor the order in which they
// committed. One entity's commands can therefore be forwarded out of
// sequence order: a transaction that had already written something (a row of
// its own, anything an earlier step of its handler wrote) when it reserved
// the entity's next sequence number, after another transaction reserved the
// one before (it waits on the entity's sequence row until that one commits),
// carries the higher sequence number and the lower transaction id, and is
// forwarded first. The outbox does not put them back in order; a consumer
// that needs an entity's commands in sequence order must check
// cqrs.Envelope.Sequence itself.
//
// The stores whose writes must commit with the messages have to be on
// Config.DB: a transaction on another database is not one the outbox can
// join, and a message sent in it is refused with ErrForeignTransaction
// (published at once, it would leave even if that transaction rolled back).
// A transaction handed
// over with idempotency/sqlstore.ContextWithTx does not record its
// database, so the outbox writes into it as if it were on Config.DB: hand
// over only transactions on that database.
//
// # Many instances
//
// Every instance of a service runs the same Config (same DB and Topic) and a
// forwarder; they share the consumer group, whose lock each poll holds,
// so one instance forwards at a time and each row is forwarded by one
// instance (again, with the rest of its batch, after a crash). Each service
// on a database needs its own Topic, as the default gives it (TopicFor of
// the service name, taken by the first Bind; the earlier releases' default,
// sourceflow_outbox, is forwarded only by a Transport that sets it; one
// whose Topic is defaulted logs, at error level, as it starts and then
// once a minute while that table exists, its dead letters and the rows
// older than a live earlier forwarder lets them grow, about 71s), since forwarders of one Topic relay
// each other's rows and a forwarder publishes only to destinations its inner
// transport knows; rows for others would be held, holding up the later
// rows for their destinations, and be dead-lettered after 15 minutes unless
// a forwarder of the service that wrote them relayed them first. On a database sqlbus also uses, neither
// a Topic nor <Topic>_dead_letters may be the topic of an sqlbus
// destination (see Config.Topic). A
// process that must not forward (a
// short-lived job) sets Config.DisableForwarder and leaves its rows to the
// instances that do. A forwarding process that closes with rows not yet
// forwarded leaves them to the next instance of its service, as Close
// warns (once, with their number): a short-lived sender waits until Depths
// shows its outbox empty before it closes.
//
// # Connections in clear text
//
// The first Bind, once the tables are there, finds whether the connection
// to Config.DB is encrypted and where it goes (a pgx connection from its
// own socket, another from the server); one that is not local (a unix
// socket, a loopback address) and either in clear text or in TLS that does
// not verify the server is logged once as a warning (slog's Warn on the
// default logger, and on watermill.NopLogger, whose Warn would drop it;
// Info on another logger without a Warn method), naming the
// server's host:port and what to set in the DSN: sslmode=verify-full with
// sslrootcert on PostgreSQL, tls=true or a config registered with
// mysql.RegisterTLSConfig on MySQL. Whether the server is verified comes
// from pgx's own TLS config (sslmode=prefer, pgx's default, or require
// without sslrootcert verify nothing). The outbox is given Config.DB without
// its DSN, so on another driver (go-sql-driver, on MySQL and MariaDB) it
// cannot tell, and warns of clear text only: MySQL's tls=skip-verify or
// tls=preferred is warned of where the pool was opened from its DSN
// (sqlbackend.Open with Config.DSN, idempotency/sqlstore.Open). The check is
// bounded (10s) and never fails Bind; one cut short by the end of Bind's
// context is made again by a later Bind.
//
// On PostgreSQL the first Bind also looks, in one query, for an outbox or
// dead-letter table an earlier release created with a created_at without
// time zone (its rows' times read hours off when the sessions' time zones
// differ), and logs a warning for each (as above) with the ALTER TABLE that
// converts it; it never alters the table, nor fails Bind.
//
// # Where it lives
//
// The package imports cqrs (the Transport contract), internal/sqldb (the
// transaction a context carries), Watermill and watermill-sql; cqrs never
// imports it.
package outbox
