package sqldb_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// A table name that quoting cannot contain is refused before any query.
func TestReadWatermillTableRefusesNamesItCannotQuote(t *testing.T) {
	for _, name := range []string{`watermill_a"b`, "watermill_a`b", "watermill_a\x00b"} {
		for _, d := range []sqldb.Dialect{sqldb.Postgres, sqldb.MySQL} {
			rows, err := sqldb.ReadWatermillTable(context.Background(), nil, d, name)
			assert.ErrorContains(t, err, "must not hold a quote", "%s %q", d, name)
			assert.Nil(t, rows)
		}
	}
}
