package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// storeFactory returns a function giving every conformance subtest its own
// Store on its own table prefix, sharing one database of the dialect; the
// tables are dropped after each subtest.
func storeFactory(t *testing.T, d dialect) func(t *testing.T) *sqlstore.Store {
	shared := d.open(t, sqlstore.Config{})
	return func(t *testing.T) *sqlstore.Store {
		prefix := uniquePrefix()
		s, err := sqlstore.New(context.Background(), shared.DB(), sqlstore.Config{Dialect: d.dialect, TablePrefix: prefix})
		require.NoError(t, err)
		t.Cleanup(func() { dropTables(t, s, prefix) })
		return s
	}
}

func TestCommandStoreConformance(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		newStore := storeFactory(t, d)
		cqrstest.RunCommandStore(t, func(t *testing.T) cqrs.CommandStore { return newStore(t).Commands() })
	})
}

func TestDocumentStoreConformance(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		newStore := storeFactory(t, d)
		opts := cqrstest.DocumentOptions{LargeDocument: 8 << 20}
		if d.dialect == sourceflow.MySQL {
			opts.LargeDocument = 4 << 20 // within MariaDB's default max_allowed_packet of 16 MiB
		}
		t.Run("entities", func(t *testing.T) {
			cqrstest.RunDocumentStore(t, func(t *testing.T) cqrs.DocumentStore { return newStore(t).Entities() }, opts)
		})
		t.Run("views", func(t *testing.T) {
			cqrstest.RunDocumentStore(t, func(t *testing.T) cqrs.DocumentStore { return newStore(t).Views() }, opts)
		})
	})
}
