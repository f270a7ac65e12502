package sqlstore

import (
	"context"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// schema is the versioned schema of the store's table, recorded in
// Table+"_version". Steps are only ever appended. Step 1 keeps IF NOT EXISTS
// so that a table created before the schema was versioned is adopted as
// version 1 unchanged.
func (s *Store) schema() sqldb.Schema {
	return sqldb.Schema{
		VersionTable: s.cfg.versionTable(),
		Steps:        [][]string{s.q.schema},
	}
}

// SchemaSQL returns the statements that create the table and its expiry
// index, for schemas managed outside the store (Config.SkipMigrations). They do
// not create the version table.
func (s *Store) SchemaSQL() []string { return s.schema().Statements() }

// CreateSchema migrates the table to the schema version this program knows,
// recording it in Table+"_version"; an up-to-date schema is left alone.
// Instances migrating together are serialised by a lock. A database that
// records a newer version is refused with ErrSchemaTooNew.
func (s *Store) CreateSchema(ctx context.Context) error {
	what := "sqlstore: schema of " + s.cfg.Table
	if err := s.closedErr(what); err != nil {
		return err
	}
	if err := sqldb.Migrate(ctx, s.db, s.cfg.Dialect, s.schema()); err != nil {
		return errtext.Wrap(what, idempotencyPrefix, s.orClosed(err))
	}
	return nil
}
