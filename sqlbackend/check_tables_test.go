package sqlbackend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// TestCheck_NamesEveryDroppedTable checks that Check, with two of the
// stores' tables dropped, names both in one error, and not the others.
func TestCheck_NamesEveryDroppedTable(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		b := d.open(t, sqlbackend.Config{})
		tables := b.Store().Tables()
		commands, views := tables[1], tables[3]
		for _, table := range []string{commands, views} {
			_, err := b.Store().DB().ExecContext(ctx, "DROP TABLE "+table)
			require.NoError(t, err)
		}

		err := b.Check(ctx)

		require.ErrorIs(t, err, sqlbackend.ErrMissingTable)
		assert.ErrorContains(t, err, "table missing: "+commands+", "+views+" (")
		assert.NotContains(t, err.Error(), strings.TrimPrefix(tables[2], "main."))
	})
}
