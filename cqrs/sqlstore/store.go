package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// Store holds the command, entity and view stores on one SQL database. Every
// method joins the transaction on that database carried by its context, if
// any (see WithinTx), so state, commands and the idempotency record of one
// handled message can commit together.
type Store struct {
	db       *sql.DB
	conn     conn
	cfg      Config
	ownsDB   bool
	commands *commandStore
	entities *documentStore
	views    *documentStore
}

var _ sourceflow.Transactor = (*Store)(nil)

// Open opens the database named by cfg.DSN with the dialect's driver, checks
// the connection within cfg.ConnectTimeout (an unreachable database is
// ErrUnreachable naming the address, never a hang; a DSN the driver cannot
// read is ErrInvalidConfig, before any connection, and so is a refusal of
// the DSN's user, password or database, or on MySQL and MariaDB of its
// account or the connection), migrates the schema unless
// cfg.SkipMigrations is set, and returns a Store that closes the database
// on Close.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg.setDefaults()
	return sqldb.OpenStore(ctx, cfg.dbConfig(), cfg.problems(), func(db *sql.DB) (*Store, error) {
		return newStore(ctx, db, cfg, true)
	})
}

// New returns a Store on db, which the caller keeps and closes. Unless
// cfg.SkipMigrations is set, it migrates the schema to the current version.
// cfg.DSN, MaxOpenConns and ConnectTimeout are not used. A db opened with
// another dialect's driver than cfg.Dialect is ErrInvalidConfig.
func New(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	cfg.setDefaults()
	return newStore(ctx, db, cfg, false)
}

func newStore(ctx context.Context, db *sql.DB, cfg Config, owns bool) (*Store, error) {
	if err := sqldb.CheckStoreDB(db, cfg.Dialect, cfg.problems()); err != nil {
		return nil, err
	}
	t := cfg.tables()
	if !cfg.SkipMigrations {
		if err := sqldb.Migrate(ctx, db, cfg.Dialect, schema(cfg.Dialect, t)); err != nil {
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
	}
	s := &Store{db: db, cfg: cfg, ownsDB: owns}
	c := conn{db: db, dialect: cfg.Dialect, packet: &sqldb.PacketLimit{}}
	if owns {
		c.source = sqldb.SourceOf(cfg.Dialect, cfg.DSN)
	}
	s.conn = c
	s.commands = &commandStore{conn: c, q: newCommandQueries(cfg.Dialect, t)}
	s.entities = &documentStore{conn: c, name: "entities", q: newDocumentQueries(cfg.Dialect, t.entities)}
	s.views = &documentStore{conn: c, name: "views", q: newDocumentQueries(cfg.Dialect, t.views)}
	return s, nil
}

// Commands returns the command store. It also implements
// sourceflow.Transactor, so the CommandBus reserves a sequence and appends
// the command in one transaction.
func (s *Store) Commands() cqrs.CommandStore { return s.commands }

// Entities returns the store of saga entities.
func (s *Store) Entities() cqrs.EntityStore { return s.entities }

// Views returns the store of view models.
func (s *Store) Views() cqrs.ViewStore { return s.views }

// Tables returns the names of the tables the stores read and write (not
// the one recording the schema version, which only Open and New read), as
// the statements name them: for a health check that they are there.
func (s *Store) Tables() []string {
	t := s.cfg.tables()
	return []string{t.sequences, t.commands, t.entities, t.views}
}

// DB returns the database the stores read and write.
func (s *Store) DB() *sql.DB { return s.db }

// WithinTx implements sourceflow.Transactor: it runs fn with a context
// carrying a transaction on DB() and commits when fn returns nil, rolling
// back otherwise. When ctx already carries a transaction on DB(), fn joins
// it and the outer caller commits.
func (s *Store) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.conn.WithinTx(ctx, fn)
}

// Close closes the database of a Store made by Open; for one made by New it
// does nothing, the caller owning the database.
func (s *Store) Close() error {
	if s.ownsDB {
		return s.db.Close()
	}
	return nil
}
