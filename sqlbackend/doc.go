// Package sqlbackend opens, on one SQL database, everything that keeps a
// service's state and handles each message once: the command, entity and
// view stores of cqrs/sqlstore, the idempotency store of
// idempotency/sqlstore and, when asked, an outbox (package outbox) per
// service, all on one *sql.DB.
//
// # Use
//
//	b, err := sqlbackend.Open(ctx, sqlbackend.Config{Dialect: sourceflow.Postgres, DSN: dsn, Outbox: true})
//	defer b.Close() // after the services' Close
//	transport, err := sqlbus.NewTransport(sqlbus.Config{DB: b.Store().DB(), Dialect: sourceflow.Postgres})
//	cfg := cqrs.ServiceConfig{Name: "orders", Transport: transport, Listen: []string{"orders.fifo"}}
//	claims, err := b.Idempotency(idempotency.MiddlewareConfig{})
//	err = stack.Use(middleware.ConsumeIdempotency, "sql", claims.Middleware)
//	cfg.HandlerMiddleware, cfg.PublisherDecorators = stack.HandlerMiddlewares(), stack.PublisherDecorators()
//	svc, err := b.NewService(ctx, cfg) // the three stores, and the outbox in front of transport
//
// NewService is Configure followed by cqrs.NewService. A program that calls
// Configure itself calls it before cqrs.NewService, which copies its
// ServiceConfig: a Configure after it leaves the service on memory stores.
//
// The transport of a service on sqlbus goes on the Backend's pool,
// Store().DB(), which the Backend closes when it opened it from DSN. With
// Outbox the Backend's Close closes that transport (through its outbox);
// without it, close the transport yourself after the service, as any
// transport given to a service.
//
// Opening each store on the same pool matters: a store refuses a
// transaction on a second pool opened with the same DSN
// (sqlstore.ErrSecondPool), which it could not join, and a handled
// message's writes and idempotency record then could not commit together.
// The Backend opens each on the pool it opened or was given, and its Close
// closes each, last opened first, returning every error. Configure refuses
// a ServiceConfig that has a store of its own, so a configured service's
// stores, its outbox and the middleware of Idempotency share the pool; give
// a service the middleware of the Backend that configured it.
//
// # Connections in clear text
//
// Open checks the pool's connection once, as the idempotency store's New
// does (see idempotency/sqlstore), and warns on Config.Logger (when it is
// unset, on slog.Default() at slog's Warn) of one that
// is not local and either in clear text or in TLS that does not verify the
// server. On a pool it opened from Config.DSN the check reads that DSN: its
// host:port is the address named and, when it is an address, decides
// whether the connection crosses a network (a forwarder on this host hides
// the hop from the server), and on MySQL its tls=skip-verify or
// tls=preferred is warned of, which go-sql-driver's connection does not
// tell. On a pool given as Config.DB only pgx's connection tells whether it
// verifies the server; another driver's is warned of in clear text only.
// An outbox (Config.Outbox) checks its connection again at its first Bind,
// without the DSN (see package outbox); so does sqlbus on Store().DB().
//
// # Health
//
// Check, for a readiness probe (never a liveness probe: it fails during the
// database's outage), runs Open's connection check (a ping; a statement on
// MySQL) and one query that reads no row of the stores' tables, within
// Config.ConnectTimeout: ErrUnreachable while the database does not answer,
// ErrMissingTable, naming every dropped table, once one was dropped (opening the
// Backend again does not make it again: the schema version says it exists;
// restore it or run the stores' SchemaSQL). A service's outbox tables
// are checked once its outbox's first Bind made them (a service's Start
// binds it); a missing one is made again, empty, by the next instance's
// first Bind.
//
// # Where it lives
//
// The package sits beside sqlbus and outbox rather than in cqrs/sqlstore,
// so that the SQL stores keep importing cqrs alone, and a program that
// needs no outbox or idempotency store can still use them without linking
// either. Its DynamoDB counterpart is package dynamobackend.
package sqlbackend
