package sqldb

import (
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithMySQLTimeouts(t *testing.T) {
	def := MySQLIOTimeout
	tests := []struct {
		name        string
		dsn         string
		read, write time.Duration
	}{
		{"no parameters", "app:secret@tcp(db:3306)/orders", def, def},
		{"other parameters kept", "app:secret@tcp(db:3306)/orders?parseTime=true", def, def},
		{"a trailing question mark", "app:secret@tcp(db:3306)/orders?", def, def},
		{"the user's readTimeout kept", "app:secret@tcp(db:3306)/orders?readTimeout=5s", 5 * time.Second, def},
		{"the user's writeTimeout kept", "app:secret@tcp(db:3306)/orders?writeTimeout=2m", def, 2 * time.Minute},
		{"both of the user's kept", "app@tcp(db:3306)/orders?writeTimeout=1s&readTimeout=3s", 3 * time.Second, time.Second},
		{"an explicit 0 turns the timeout off", "app@tcp(db:3306)/orders?readTimeout=0", 0, def},
		{"a password that looks like parameters", "app:p?readTimeout=1s&x/y@tcp(db:3306)/orders", def, def},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := mysql.ParseDSN(tt.dsn)
			require.NoError(t, err)

			got, err := mysql.ParseDSN(WithMySQLTimeouts(MySQL, tt.dsn))

			require.NoError(t, err)
			assert.Equal(t, tt.read, got.ReadTimeout, "readTimeout")
			assert.Equal(t, tt.write, got.WriteTimeout, "writeTimeout")
			before.ReadTimeout, before.WriteTimeout = got.ReadTimeout, got.WriteTimeout
			assert.Equal(t, before.FormatDSN(), got.FormatDSN(), "every other setting is kept")
		})
	}
}

func TestWithMySQLTimeouts_LeavesOtherDSNsAlone(t *testing.T) {
	for _, tt := range []struct {
		d   Dialect
		dsn string
	}{
		{Postgres, "postgres://app:secret@db:5432/orders?sslmode=disable"},
		{SQLite, "file:orders.db?_txlock=immediate"},
		{MySQL, "not a mysql dsn"},
		{MySQL, "app:secret@tcp(db:3306)/orders?readTimeout=1s&writeTimeout=1s"},
	} {
		assert.Equal(t, tt.dsn, WithMySQLTimeouts(tt.d, tt.dsn), "%s %s", tt.d, tt.dsn)
	}
}
