package cli_test

import (
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A MySQL DSN is opened with the services' 60 s bound on readTimeout and
// on writeTimeout, each unless the DSN sets it, so a command against a
// server that stopped answering fails instead of hanging; a DSN's own
// value is kept.
func TestSQLOpensMySQLWithReadAndWriteTimeouts(t *testing.T) {
	const def = time.Minute
	for _, tt := range []struct {
		name, dsn   string
		read, write time.Duration
	}{
		{"no parameters", "ops:secret@tcp(db.internal:3306)/shop", def, def},
		{"other parameters kept", "ops:secret@tcp(db.internal:3306)/shop?parseTime=true", def, def},
		{"the DSN's readTimeout kept", "ops:secret@tcp(db.internal:3306)/shop?readTimeout=5m", 5 * time.Minute, def},
		{"an explicit 0 turns it off", "ops@tcp(db.internal:3306)/shop?writeTimeout=0", def, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dsn, err := cli.DriverDSN(tt.dsn, "")
			require.NoError(t, err)

			got, err := mysql.ParseDSN(dsn)

			require.NoError(t, err)
			assert.Equal(t, tt.read, got.ReadTimeout, "readTimeout")
			assert.Equal(t, tt.write, got.WriteTimeout, "writeTimeout")
			assert.Equal(t, "db.internal:3306", got.Addr)
			assert.Equal(t, "shop", got.DBName)
		})
	}
}

// A PostgreSQL DSN is opened as given.
func TestSQLOpensPostgresAsGiven(t *testing.T) {
	for _, dsn := range []string{"postgres://ops:secret@db.internal:5432/shop", "host=db.internal user=ops dbname=shop"} {
		got, err := cli.DriverDSN(dsn, "postgres")
		require.NoError(t, err)
		assert.Equal(t, dsn, got)
	}
}
