// Package sqldb is what every SQL package of the module shares: the
// database/sql drivers of the root package's dialects, goose's name and the
// placeholder style of each, opening a database with a bounded
// connection check, a health check of a store's pool and tables (Check),
// versioned schema migrations recorded in a version table,
// and a transaction carried in a context so that stores on one database can
// join one transaction.
//
// It is internal: users name a dialect with the root package's
// sourceflow.Dialect (Postgres, MySQL, SQLite), which this package uses, so
// they never import it.
//
// Its errors never name it: users see them through a public package
// (sqlbus, outbox, cqrs/sqlstore, idempotency/sqlstore), whose name starts
// the message once. A function's error says what failed ("read the version
// of sourceflow_schema_version: …") and its caller puts its package before
// it; where the error is the public package's own (InvalidConfig,
// WithinTx) or reaches users through no caller of theirs (the errors of
// WatermillBeginner's polls and WatermillSchema's reads, which watermill-sql's
// subscriber logs), the caller passes that package's name. OpenStore and
// CheckStoreDB serve the two store packages, both named sqlstore, and say
// so themselves.
//
// CheckLink finds whether a connection is encrypted and local (from pgx's
// own socket, else by asking the server), and whether the client verifies
// the server (from pgx's own TLS config, else from the DSN: given, or
// carried by the context for the pool, WithOpenedFrom), for a database
// the package opened or one a caller gave, whatever its driver;
// WarnPlaintext logs, once per call, one that crosses a network in clear
// text, or in TLS that accepts any server's certificate (sslmode=prefer or
// require, tls=skip-verify or preferred), for the components that have a
// logger.
//
// PollLog bounds what a watermill-sql subscriber logs of its failed polls
// (internal/repeatlog) while the database is down, for sqlbus's
// subscriptions and the outbox's forwarder alike.
//
// Migrations run through pressly/goose's Provider with Go migrations (the
// statements depend on the dialect and on configurable table names, which
// SQL files cannot express). Each schema has its own version table, so
// components upgrade independently; on PostgreSQL a session advisory lock
// and on MySQL goose's lock table serialise instances that start together.
// A database whose recorded version is newer than the code knows is refused
// with ErrSchemaTooNew before any step is applied.
package sqldb
