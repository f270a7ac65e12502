package sqldb_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A check given no DSN reads the one its context carries for the pool
// (WithOpenedFrom), as sqlbackend's Open passes it to the idempotency store
// on the pool it opened: go-sql-driver's connection in TLS, which does not
// say whether it verifies the server, is then warned of when the DSN says
// tls=skip-verify. The DSN carried for another pool is not read, and one
// given to the check wins.
func TestCheckPlaintextReadsTheDSNItsContextCarriesForThePool(t *testing.T) {
	const skips, verifies = "app:s3cret@tcp(db.example:3306)/shop?tls=skip-verify", "app:s3cret@tcp(db.example:3306)/shop?tls=true"
	db := (&sqldbtest.DB{Rows: sqldbtest.MySQLLink("TLS_AES_256_GCM_SHA384", "10.1.2.3", "db1", 3306)}).Open(t)
	other := (&sqldbtest.DB{}).Open(t)
	for _, tt := range []struct {
		name     string
		carried  string
		carrier  bool // the context carries the DSN for db, not for other
		given    string
		warnedAt string
	}{
		{"the DSN carried for the pool", skips, true, "", "db.example:3306"},
		{"a DSN carried for another pool", skips, false, "", ""},
		{"no DSN carried", "", true, "", ""},
		{"a DSN given wins", skips, true, verifies, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			if tt.carried != "" {
				ctx = sqldb.WithOpenedFrom(ctx, map[bool]*sql.DB{true: db, false: other}[tt.carrier], tt.carried)
			}

			warning, addr, err := sqldb.CheckPlaintext(ctx, db, sqldb.MySQL, tt.given, time.Minute, "idempotency/sqlstore")

			require.NoError(t, err)
			assert.Equal(t, tt.warnedAt, addr)
			if tt.warnedAt != "" {
				assert.Equal(t, sqldb.UnverifiedWarning("idempotency/sqlstore", sqldb.MySQL, addr), warning)
			} else {
				assert.Empty(t, warning)
			}
		})
	}
}
