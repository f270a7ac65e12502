package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// After Close every call of a store fails with idempotency.ErrClosed, in
// this package's words, whether Open made the store (and closed its
// database) or New did (and the caller's database stays open).
func TestCallsAfterCloseFailWithErrClosed(t *testing.T) {
	for name, open := range map[string]func(t *testing.T, cfg sqlstore.Config) (*sqlstore.Store, *sql.DB){
		"Open": func(t *testing.T, cfg sqlstore.Config) (*sqlstore.Store, *sql.DB) {
			cfg.DSN = dsnFor(t, sourceflow.SQLite, "")
			s, err := sqlstore.Open(t.Context(), cfg)
			require.NoError(t, err)
			return s, nil
		},
		"New": func(t *testing.T, cfg sqlstore.Config) (*sqlstore.Store, *sql.DB) {
			db, err := sql.Open("sqlite", dsnFor(t, sourceflow.SQLite, ""))
			require.NoError(t, err)
			t.Cleanup(func() { _ = db.Close() })
			s, err := sqlstore.New(t.Context(), db, cfg)
			require.NoError(t, err)
			return s, db
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			cfg := sqlstore.Config{Dialect: sourceflow.SQLite, Table: "idem"}
			s, callerDB := open(t, cfg)
			key := idempotency.Key{Consumer: "c", MessageID: "m-1"}
			claimed, err := s.Claim(ctx, key, "", time.Minute)
			require.NoError(t, err)
			require.NoError(t, s.Close())
			require.NoError(t, s.Close(), "Close is idempotent")

			_, err = s.Claim(ctx, key, "", time.Minute)
			assertClosed(t, "sqlstore: claim c/m-1: store closed", err)
			assertClosed(t, "sqlstore: complete c/m-1: store closed", s.Complete(ctx, key, claimed.Token, time.Minute))
			assertClosed(t, "sqlstore: extend c/m-1: store closed", s.Extend(ctx, key, claimed.Token, time.Minute))
			assertClosed(t, "sqlstore: release c/m-1: store closed", s.Release(ctx, key, claimed.Token))
			assertClosed(t, "sqlstore: begin a transaction: store closed",
				s.WithinTx(ctx, func(context.Context) error { return nil }))
			_, err = s.Cleanup(ctx)
			assertClosed(t, "sqlstore: cleanup idem: store closed", err)
			assertClosed(t, "sqlstore: schema of idem: store closed", s.CreateSchema(ctx))
			if callerDB != nil {
				assert.NoError(t, callerDB.PingContext(ctx), "New's caller keeps its database open")
			}
		})
	}
}

func assertClosed(t *testing.T, want string, err error) {
	t.Helper()
	require.ErrorIs(t, err, idempotency.ErrClosed)
	assert.Equal(t, want, err.Error())
}
