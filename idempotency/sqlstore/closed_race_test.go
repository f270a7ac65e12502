package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// A call racing Close works or fails with idempotency.ErrClosed, never
// with database/sql's closed-database error alone, though it passed the
// store's own check before Close closed the database: the callers wait
// for the pool's one connection when Close closes the database under them.
func TestCallsRacingCloseFailWithErrClosed(t *testing.T) {
	ctx := context.Background()
	for name, call := range map[string]func(s *sqlstore.Store, caller, n int) error{
		"Claim": func(s *sqlstore.Store, caller, n int) error {
			_, err := s.Claim(ctx, idempotency.Key{Consumer: "c", MessageID: fmt.Sprintf("m-%d-%d", caller, n)}, "", time.Minute)
			return err
		},
		"WithinTx": func(s *sqlstore.Store, _, _ int) error {
			return s.WithinTx(ctx, func(context.Context) error { return nil })
		},
		"Cleanup": func(s *sqlstore.Store, _, _ int) error {
			_, err := s.Cleanup(ctx)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := sqlstore.Open(ctx, sqlstore.Config{Dialect: sourceflow.SQLite, Table: "idem",
				DSN: dsnFor(t, sourceflow.SQLite, ""), MaxOpenConns: 1})
			require.NoError(t, err)
			const callers = 8
			called, failed := make(chan struct{}, callers), make(chan error, callers)
			for caller := range callers {
				go func() {
					for n := 0; ; n++ {
						err := call(s, caller, n)
						if n == 0 {
							called <- struct{}{}
						}
						if err != nil {
							failed <- err
							return
						}
					}
				}()
			}
			for range callers {
				<-called
			}
			require.NoError(t, s.Close())
			for range callers {
				require.ErrorIs(t, <-failed, idempotency.ErrClosed)
			}
		})
	}
}
