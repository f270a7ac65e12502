package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// An invalid configuration's message names this package and the field, not
// the internal package that checks it, and still matches ErrInvalidConfig.
func TestInvalidConfigMessageNamesThePublicPackage(t *testing.T) {
	for name, cfg := range map[string]sqlstore.Config{
		"empty DSN":      {Dialect: sourceflow.Postgres},
		"unreadable DSN": {Dialect: sourceflow.Postgres, DSN: "postgres://host:notaport/db"},
		"bad dialect":    {Dialect: "oracle", DSN: "x"},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := sqlstore.Open(context.Background(), cfg)
			if s != nil {
				_ = s.Close()
			}
			require.ErrorIs(t, err, sqlstore.ErrInvalidConfig)
			assert.Regexp(t, `^sqlstore: invalid configuration: (DSN|Dialect)\b`, err.Error())
			assert.NotContains(t, err.Error(), "sqldb")
		})
	}
	_, err := sqlstore.New(context.Background(), nil, sqlstore.Config{Dialect: sourceflow.Postgres})
	require.ErrorIs(t, err, sqlstore.ErrInvalidConfig)
	assert.Equal(t, "sqlstore: invalid configuration: db must not be nil", err.Error())
}
