// Package sqlstore is an idempotency.Store on database/sql for PostgreSQL
// (pgx stdlib driver), MySQL 8 / MariaDB 10.5+ (go-sql-driver/mysql) and
// SQLite (modernc.org/sqlite, no CGO). Many instances share one table; the
// store passes the idempotencytest conformance suite on every dialect.
//
// Open(ctx, Config{Dialect, DSN, CleanupInterval, Table}) opens the database
// from a connection string; New(ctx, db, cfg) uses a *sql.DB the caller owns.
// Open checks the connection within Config.ConnectTimeout: an unreachable
// database fails with ErrUnreachable naming the dialect and the address
// instead of hanging, and one that refuses the DSN's user, password or
// database, or on MySQL and MariaDB its account or the connection (a host
// not allowed or blocked, TLS required, an expired password, a locked account), with
// ErrInvalidConfig, which no retry changes. The table name is spliced into
// SQL, so only plain identifiers (optionally schema-qualified) are accepted.
//
// The schema is versioned. Open and New (and CreateSchema) migrate the table
// to the version this program knows and record it in Table+"_version" (in
// the same schema for a qualified name, so the table part is at most 55
// bytes); instances starting together are serialised by a migration lock (a
// session advisory lock on PostgreSQL, a lock table on MySQL). Version 1 is
// the table and its expiry index created with IF NOT EXISTS, so a table made
// by a release before the schema was versioned is adopted unchanged. A table
// whose recorded version is newer than this program knows is refused with
// ErrSchemaTooNew before anything is written: an older release must not
// write to a schema a newer one migrated. Config.SkipMigrations skips the
// migration for schemas managed elsewhere; SchemaSQL returns the DDL.
//
// Opening a database, versioned migrations and the transaction carried in a
// context are shared with the module's other SQL stores (the cqrs SQL store)
// through one internal package, so every store opens a database, migrates
// its schema and recognises a transaction the same way. Config.Dialect is
// the module's one sourceflow.Dialect.
//
// One row per key: consumer, message_id (primary key), status (0 in
// progress, 1 completed), token (the lease holder), payload_hash and
// expires_at (the lease end while in progress, the retention end once
// completed). Every expiry is computed and compared by the database clock
// (now(), UTC_TIMESTAMP(6), unixepoch('subsec')), never the application's, so
// instances with skewed clocks agree. Expired rows are treated as absent when
// claimed, so no claim waits for the cleanup; the cleanup keeps an expired
// in-progress row for idempotency.LapsedLeaseRetention, so that its late
// holder may still complete.
//
// Claims are atomic. PostgreSQL and SQLite use one statement, INSERT … ON
// CONFLICT DO UPDATE … WHERE expired RETURNING token; no returned row means
// the key is live and a lookup reads its state. MySQL has no RETURNING with
// upserts, so it runs INSERT … ON DUPLICATE KEY UPDATE with every assignment
// conditional on expiry, then reads the row: the claim was acquired when the
// row holds this claim's token. A deadlock or lock timeout outside a caller's
// transaction is retried. Complete, Extend and Release match the token, so a
// consumer whose lease was taken over cannot complete, extend or release the
// new claim. Extend is one UPDATE of the in-progress row held by the token,
// setting its expiry from the database clock; on MySQL, which reports changed
// rather than matched rows, an unchanged row is confirmed by a lookup.
//
// A background goroutine deletes expired rows every CleanupInterval, in
// batches of CleanupBatch, until Close; Stats counts runs, deleted rows and
// failures, and Cleanup runs it on demand. A completed row lives for the
// middleware's TTL (idempotency.MiddlewareConfig.TTL, by default
// idempotency.DefaultTTL: 28 days and an hour), so the table levels off at
// about the rate of completed records (one per message and consumer) times
// that TTL rows (at 30 a second, some 73 million), reached after the TTL; a shorter TTL (see its limits in
// package idempotency) is what lowers it.
//
// Close stops the cleanup and closes the database Open opened (a *sql.DB
// given to New stays open: its caller closes it). Either way, every later
// call of the store fails with idempotency.ErrClosed, as the memory store's
// do: close it after the router that handles through it has stopped, as a
// handling whose completion fails is not acknowledged.
//
// Transactional mode: Store implements idempotency.Transactor. With
// MiddlewareConfig.Transactional the middleware begins a transaction, puts it
// in the message context, claims, runs the handler, completes and commits;
// any failure rolls back the claim and the handler's writes together. The
// handler writes through TxFromContext(msg.Context()). A concurrent delivery
// of the same key blocks on the uncommitted row until the first transaction
// ends, so side effects in the same database happen exactly once without
// relying on a lease. The context records which database the transaction was
// begun on: every SQL store of the module on that *sql.DB joins it (a store
// on another database ignores it, and a store on a second *sql.DB opened
// with a DSN naming the same database refuses it with ErrSecondPool, when
// Open opened both: open the stores on one *sql.DB), so a handler's event or read-model writes
// through such a store commit with the claim, and a transaction begun by such
// a store is joined by WithinTx, Claim and Complete. Callers with their own
// transaction use ContextWithTx; its database is not recorded, so every store
// given the context runs in it.
//
// MySQL ends a deadlock's victim at once: InnoDB rolls the whole transaction
// back, and later statements on its connection would commit one by one.
// When a statement of the module's stores or outbox is the victim, the
// transaction is marked ended: those stores refuse further writes in it and
// the commit returns the deadlock, so the message is redelivered and handled
// in a new transaction (a Retry middleware inside the transaction retries
// in vain meanwhile). A deadlock hit by a handler's own statement through
// TxFromContext is not seen: on MySQL, leave the Retry middleware out of a
// transactional pipeline whose handlers write through TxFromContext, so
// that such a handler is not run again inside the ended transaction.
//
// SQLite: Open adds busy_timeout(30000), WAL and _txlock=immediate to a DSN
// that sets none of them. MySQL: Open adds readTimeout=60s and
// writeTimeout=60s to a DSN that does not set them, so a query or a COMMIT
// on a server that stopped answering (a network partition) fails instead of
// hanging; a DSN's own value is kept, 0 included (no timeout), as in
// cqrs/sqlstore.
// Use a file database; ":memory:" gives each pooled connection its own
// database. A shared-cache in-memory database
// ("file:name?mode=memory&cache=shared") is shared by the pool and lasts
// while the pool is open: Open keeps SQLite's idle connections.
//
// Open and New ask the server whether the store's connection is encrypted
// and where it arrives (Open goes by its DSN's host, when that is a socket
// or an address); one that is not local (a unix socket, a loopback address,
// localhost) and either in clear text or in TLS that does not verify the
// server is logged once as a warning (Config.Logger's
// Warn method if it has one, else its Info; slog.Default() at slog's Warn
// while Logger is unset or watermill.NopLogger, the default),
// naming the server's host:port and what to set in the DSN:
// sslmode=verify-full with sslrootcert on PostgreSQL, tls=true or a config
// registered with mysql.RegisterTLSConfig on MySQL. Whether the server is
// verified comes from pgx's own TLS config (sslmode=prefer, pgx's default,
// or require without sslrootcert verify nothing), else from Open's DSN
// (tls=skip-verify or preferred on MySQL); New, given db without its DSN,
// warns of another driver's connection in clear text only (sqlbackend.Open,
// on the pool it opened, has New's check read its DSN). The check is bounded by
// Config.ConnectTimeout and never fails Open or New. SQLite is never warned
// about.
//
// watermill-sql is not used: it provides SQL pub/subs and an outbox, no
// idempotency store, and its executor wrappers add nothing to database/sql
// here (it would also pull in lib/pq, which registers the "postgres" driver).
package sqlstore
