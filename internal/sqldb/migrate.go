package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// Schema is a versioned schema: Steps[i] holds the statements that migrate
// it from version i to version i+1, run in one transaction. Steps are only
// ever appended; an applied step is never edited.
type Schema struct {
	// VersionTable records the applied versions (goose's layout). Each
	// schema has its own.
	VersionTable string
	// Steps are the migrations in order; version n is Steps[n-1].
	Steps [][]string
}

// Statements returns the statements of every step in order: the schema at
// its latest version, for schemas managed outside the program.
func (s Schema) Statements() []string { return slices.Concat(s.Steps...) }

// Migrate brings the schema on db up to len(s.Steps). It returns
// ErrSchemaTooNew, applying nothing, when the database records a newer
// version, also when a newer program migrated while this one was starting. Instances migrating together are serialised by a lock (a session
// advisory lock on PostgreSQL, goose's lock table on MySQL). SQLite has no
// such lock: each step still runs in one transaction, and an instance whose
// step failed because another applied it first reads the version again and
// carries on from there. On MySQL it takes two connections at once
// (Version too): a pool capped at one is refused with ErrInvalidConfig
// naming MaxOpenConns, before any statement.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, s Schema) error {
	var err error
	for range migrateAttempts {
		if err = migrateOnce(ctx, db, d, s); err == nil || errors.Is(err, ErrSchemaTooNew) {
			return err
		}
		v, verr := Version(ctx, db, d, s)
		if verr == nil && v >= int64(len(s.Steps)) {
			return nil // another instance finished the migration
		}
		if d != SQLite || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// migrateAttempts bounds the SQLite migrations that lose a race with
// another instance and start again from the version it reached.
const migrateAttempts = 5

func migrateOnce(ctx context.Context, db *sql.DB, d Dialect, s Schema) error {
	if !ValidIdentifier(s.VersionTable) {
		return fmt.Errorf("invalid version table %q", s.VersionTable)
	}
	p, err := s.provider(db, d)
	if err != nil {
		return err
	}
	if err := checkNotNewer(ctx, p, s); err != nil {
		return err
	}
	_, upErr := p.Up(ctx)
	// A newer program may have migrated between the check and Up: check
	// again, so an older one never carries on with a newer schema.
	if err := checkNotNewer(ctx, p, s); err != nil {
		return err
	}
	if upErr != nil {
		return fmt.Errorf("migrate %s: %w", s.VersionTable, upErr)
	}
	return nil
}

// checkNotNewer returns ErrSchemaTooNew when the database records a version
// beyond s's steps. Reading the version creates the version table when it is
// missing, but writes nothing else.
func checkNotNewer(ctx context.Context, p *goose.Provider, s Schema) error {
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read the version of %s: %w", s.VersionTable, err)
	}
	if current > int64(len(s.Steps)) {
		return fmt.Errorf("%w: %s records version %d, this program knows %d",
			ErrSchemaTooNew, s.VersionTable, current, len(s.Steps))
	}
	return nil
}

// Version returns the schema version recorded in the database (0 before the
// first migration).
func Version(ctx context.Context, db *sql.DB, d Dialect, s Schema) (int64, error) {
	p, err := s.provider(db, d)
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx) // a Provider's Close would close db, so it is not called
}

func (s Schema) provider(db *sql.DB, d Dialect) (*goose.Provider, error) {
	if err := checkMigratePool(db, d, s.VersionTable); err != nil {
		return nil, err
	}
	store, err := database.NewStore(gooseDialect(d), s.VersionTable)
	if err != nil {
		return nil, fmt.Errorf("version table %s: %w", s.VersionTable, err)
	}
	opts := []goose.ProviderOption{goose.WithStore(store), goose.WithDisableGlobalRegistry(true)}
	for i, stmts := range s.Steps {
		opts = append(opts, goose.WithGoMigrations(goose.NewGoMigration(int64(i+1), &goose.GoFunc{RunTx: run(stmts)}, nil)))
	}
	id := lockID(s.VersionTable)
	switch d {
	case Postgres:
		l, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(l))
	case MySQL:
		l, err := lock.NewMySQLTableLocker(lock.WithTableLockID(id),
			lock.WithTableLockTimeout(200*time.Millisecond, 1500))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithLocker(l))
	}
	p, err := goose.NewProvider("", db, nil, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations of %s: %w", s.VersionTable, err)
	}
	return p, nil
}

func run(stmts []string) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%w\n%s", err, q)
			}
		}
		return nil
	}
}

// lockID derives a lock id from the version table, so schemas migrate
// independently.
func lockID(table string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(table))
	return int64(h.Sum64() >> 1)
}
