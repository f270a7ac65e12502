// Package sqlstore is the command store, entity store and view store of
// package cqrs on a SQL database: PostgreSQL (pgx stdlib driver), MySQL 8 /
// MariaDB 10.5+ (go-sql-driver/mysql) and SQLite (modernc.org/sqlite, no
// CGO). Many instances of a service share one database, so whichever instance
// receives a command sees what the previous one wrote.
//
// # Where it lives
//
// The package is cqrs/sqlstore because it implements the contracts of
// package cqrs (cqrs.CommandStore, cqrs.EntityStore, cqrs.ViewStore): it
// imports cqrs and internal/sqldb, and cqrs never imports it, so the model
// stays free of database drivers and a service that keeps its state elsewhere
// does not link them.
//
// # Use
//
// Open(ctx, Config{Dialect, DSN}) opens the database from a connection
// string and checks it within Config.ConnectTimeout (an unreachable database
// is ErrUnreachable naming the address, a refusal of the DSN's user,
// password or database, or on MySQL and MariaDB of its account or the
// connection, ErrInvalidConfig); New(ctx, db, cfg) uses a *sql.DB the
// caller owns. Store.Commands, Store.Entities and Store.Views return the
// three stores for cqrs.ServiceConfig; Store.WithinTx runs work in one
// transaction (sourceflow.Transactor).
//
// # Schema
//
// Versioned migrations (internal/sqldb, recorded in <prefix>schema_version)
// create four tables, the prefix being Config.TablePrefix ("sourceflow_" by
// default, optionally schema-qualified):
//
//	<prefix>sequences  entity_id PK, last BIGINT: the last sequence reserved
//	<prefix>commands   entity_id, sequence (PK), message_id (UNIQUE per entity),
//	                   type, destination, envelope (JSON), payload (bytes)
//	<prefix>entities   kind, id (PK), version BIGINT, data (bytes)
//	<prefix>views      kind, id (PK), version BIGINT, data (bytes)
//
// The envelope column holds the whole cqrs.Envelope as JSON with snake_case
// names (type, message_id, entity_id, sequence, correlation_id, causation_id,
// occurred_at in UTC, replay), JSONB on PostgreSQL. Byte columns are BYTEA,
// LONGBLOB and BLOB. Key columns are VARCHAR(191) with utf8mb4_bin on MySQL
// (the longest utf8mb4 key every MySQL index takes, compared byte for byte
// but for trailing spaces, which its PAD SPACE collation ignores); keys
// longer than MaxKeyLength bytes, not UTF-8, holding a NUL byte or ending in
// a space (on MySQL "o-1 " would be the row of "o-1") are refused with
// ErrInvalidKey on every dialect, so behaviour does not depend on the
// database. On MySQL a command or document whose row would not fit in the
// server's max_allowed_packet is refused before it is sent, with
// ErrTooLarge, permanent, naming the entity or document and the limit. A
// database migrated by a newer release is refused with
// ErrSchemaTooNew; Config.SkipMigrations leaves the schema to the operator,
// and Store.SchemaSQL returns the statements that create the tables.
//
// # Retention
//
// <prefix>commands is append-only: no store and no command of the module
// deletes a row, so it grows by one row per command sent for the life of
// the deployment, as <prefix>sequences, <prefix>entities and
// <prefix>views grow by one row per entity. Retention is the operator's.
// cqrs.Service.Replay rebuilds an entity from all its commands, so delete
// an entity's commands only once it will never be replayed, and all of
// them (DELETE FROM <prefix>commands WHERE entity_id = ?): a replay of
// an entity that lost only its oldest commands rebuilds it from part of
// its history, with nothing to say so. Keep its <prefix>sequences row, so
// its sequence numbers are not handed out again. A deleted command is no
// longer found by its message id: a send again with its idempotency key,
// or by a redelivered handler, stores and publishes it again under a new
// sequence number, so delete only commands older than the longest such a
// send may come (sourceflow.MaxDeliveryAge for a redelivery).
//
// # Sequences
//
// NextSequence is one atomic statement on the entity's counter row; it never
// reads the command stream and takes no table lock, only the row's own lock
// for the statement:
//
//	PostgreSQL, SQLite: INSERT INTO <prefix>sequences AS s (entity_id, last) VALUES (?, 1)
//	                    ON CONFLICT (entity_id) DO UPDATE SET last = s.last + 1 RETURNING last
//	MySQL, MariaDB:     INSERT INTO <prefix>sequences (entity_id, last) VALUES (?, LAST_INSERT_ID(1))
//	                    ON DUPLICATE KEY UPDATE last = LAST_INSERT_ID(last + 1)
//
// MySQL has no RETURNING on upserts; LAST_INSERT_ID(expr) makes the new value
// the statement's insert id, read from sql.Result.LastInsertId on the same
// connection. Concurrent first upserts of a key can deadlock on InnoDB; the
// statement then runs again, unless it ran in a caller's transaction, which
// the deadlock ended. A sequence reserved in a transaction that rolls back is
// released with it. Append inserts the command; a second command with the
// entity's sequence or message id is cqrs.ErrDuplicateCommand (on PostgreSQL
// and SQLite through ON CONFLICT DO NOTHING, so a caller's transaction stays
// usable; MySQL's duplicate key error ends only the statement).
//
// # Optimistic concurrency
//
// Entities and views carry a version. Save of version 0 inserts the document
// as version 1; Save of version n is
//
//	UPDATE … SET data = ?, version = version + 1 WHERE kind = ? AND id = ? AND version = n
//
// and no matched row, like an existing document on insert, is
// cqrs.ErrConflict. The version always changes, so the affected rows are the
// matched rows even on MySQL, which counts changed rows. Optimistic
// concurrency rather than a row lock: it works the same on all three dialects
// and maps onto DynamoDB's conditional writes; no lock is held while a handler
// runs, so a slow handler never blocks another instance; and cqrs handles a
// conflict by reloading the document and running the handler again, a bounded
// number of times, before the message fails and is redelivered.
//
// # Transactions
//
// Every method runs in the transaction on the store's database (the same
// *sql.DB: give the idempotency store Store.DB(), not a second pool on the
// same DSN) that its context carries (internal/sqldb's context transaction), or on the database
// itself. Store.WithinTx starts one, or joins the one the context carries;
// the idempotency middleware's transactional mode puts one there, so a
// handler's new state, the commands it sent and the idempotency record
// commit together or not at all. A transaction on another database is
// ignored, except one handed over with idempotency/sqlstore.ContextWithTx,
// whose database is unknown and which every store joins. A transaction on a
// second *sql.DB opened with a DSN naming the same database (an idempotency
// store opened with the stores' DSN instead of given Store.DB()) is refused
// with ErrSecondPool, a permanent error, when Open opened both: the stores
// could not join it, and writing beside it would commit apart from the
// claim.
//
// Events a saga raises are published inside that transaction, just before
// it commits, not after: a failed publish rolls everything back and the
// message is redelivered, and a failed commit after a publish makes the
// redelivered handler raise the same events with the same derived ids, which
// consumers' idempotency drops. Publishing after the commit would lose the
// events of a process that dies between the two, since the committed
// idempotency record would then acknowledge the redelivery without running
// the handler (a transactional outbox removes that window without the
// duplicates). TestOneTransactionPerMessageSurvivesAFaultAtEveryStep fails
// each step once and checks that nothing is lost or applied twice.
//
// Store.WithinTx runs MySQL transactions at READ COMMITTED (PostgreSQL's
// default): under MySQL's REPEATABLE READ a reload after a conflict would
// read the transaction's first snapshot again and every retry would be
// refused.
//
// The in-process per-entity lock is released when the handler's save
// returns, before the handling transaction commits, so a second message for
// the same entity on the same instance can also meet a conflict (on
// PostgreSQL its save waits for the first transaction, then is refused and
// retried); it costs a reload, never a wrong state.
//
// # Refused writes
//
// A write the database refuses for its values, not for its circumstances,
// is sourceflow.Permanent, so the message is dead-lettered with the reason
// instead of delivered again: on PostgreSQL a data exception (class 22: a
// value too long or out of range, text that is not UTF-8 or holds NUL, a NUL
// escape in the JSONB envelope), an integrity violation but a unique or
// exclusion one (class 23) or a program limit (class 54); on MySQL and
// MariaDB a string not valid in utf8mb4 (error 1366), a CHECK constraint, a
// statement over max_allowed_packet or another error of SQLSTATE class 22
// or 23 but a duplicate key (a NULL in a NOT NULL column); on SQLite a value
// too big, a datatype mismatch or a NOT NULL, CHECK or foreign key
// constraint. A deadlock, a serialization failure, a lock wait timeout or a
// lost connection stays retryable. The command type, destination,
// correlation and causation ids are stored as the database takes them: a
// command whose type holds NUL is refused on PostgreSQL and stored on MySQL
// and SQLite. A setting that refuses values the program sends (a database
// encoding other than UTF-8, a narrower column in a schema managed outside
// the store) therefore dead-letters the messages it refuses rather than
// holding them: correct it, then move them back from the dead-letter
// queue.
//
// # Large documents
//
// Documents and payloads are stored whole. PostgreSQL takes up to 1 GB per
// value and SQLite up to its SQLITE_MAX_LENGTH (1 GB by default); on MySQL
// every statement, document included, must fit in max_allowed_packet (16 MiB
// by default on MariaDB, 64 MiB on MySQL 8), and larger writes fail. The
// conformance suite runs 8 MiB documents on PostgreSQL and SQLite and 4 MiB on
// MySQL. Every save rewrites the whole document, so keep view models and
// saga state small: a saga document also keeps the encoded events of the
// entity's last 32 commands (so a redelivered command re-raises its own),
// which multiplies its size by up to 32 times the events' size.
//
// # SQLite
//
// Open adds busy_timeout(30000), WAL and _txlock=immediate to a DSN that sets
// none of them (every SQL store of the module opens SQLite the same way):
// transactions take the write lock when they begin, so one that reads and
// then writes waits its turn instead of failing with SQLITE_BUSY.
// Use a file database; ":memory:" gives each pooled connection its own
// database. A shared-cache in-memory database
// ("file:name?mode=memory&cache=shared") is shared by the pool and lasts
// while the pool is open: Open keeps SQLite's idle connections.
//
// # MySQL timeouts
//
// Open adds readTimeout=60s and writeTimeout=60s to a MySQL DSN that does
// not set them (every SQL store of the module opens MySQL the same way).
// Without them go-sql-driver/mysql waits for good on a server that stopped
// answering without closing the connection (a network partition): a COMMIT
// takes no context, and would hang. 60 s is above InnoDB's default
// innodb_lock_wait_timeout (50 s), so a lock wait still ends with the
// server's lock wait error (1205), not a broken connection. A DSN's own value is kept, 0
// included (no timeout); raise it for a statement the server may work on
// longer without answering, such as a migration altering a large table.
package sqlstore
