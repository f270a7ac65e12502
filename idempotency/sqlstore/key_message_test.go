package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A key, lease or payload hash the store refuses fails naming this package
// once, and errors.Is still matches idempotency's sentinel.
func TestRefusedArgumentsNameThePackageOnce(t *testing.T) {
	s := openStore(t, sourceflow.SQLite, "", sqlstore.Config{})
	ctx := context.Background()
	good := idempotency.Key{Consumer: "c", MessageID: "m"}
	for name, bad := range map[string]idempotency.Key{
		"empty": {Consumer: "c"}, "not UTF-8": {Consumer: "c", MessageID: "a\xffb"}, "NUL": {Consumer: "c", MessageID: "a\x00b"},
		"trailing space": {Consumer: "c", MessageID: "ab "}, "too long": {Consumer: "c", MessageID: strings.Repeat("x", sqlstore.MaxKeyLength+1)},
	} {
		_, err := s.Claim(ctx, bad, "", time.Minute)
		require.ErrorIs(t, err, idempotency.ErrInvalidKey, name)
		sqldbtest.NamesPackageOnce(t, "sqlstore", err)
	}
	for _, err := range []error{
		s.Release(ctx, idempotency.Key{Consumer: "c"}, "token"),
		s.Complete(ctx, idempotency.Key{Consumer: "c"}, "token", time.Minute),
		s.Extend(ctx, idempotency.Key{Consumer: "c"}, "token", time.Minute),
		func() error { _, err := s.Claim(ctx, good, "h\x00", time.Minute); return err }(),
	} {
		require.ErrorIs(t, err, idempotency.ErrInvalidKey)
		sqldbtest.NamesPackageOnce(t, "sqlstore", err)
	}
	_, err := s.Claim(ctx, good, "", 0)
	require.ErrorIs(t, err, idempotency.ErrInvalidDuration)
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)
}
