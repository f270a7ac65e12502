package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A store whose connection crosses a network in clear text says so once,
// when it is made, naming the package, the address the server reports and
// what to set; a local connection draws nothing.
func TestNewWarnsOnceOfAPlaintextConnection(t *testing.T) {
	for _, tt := range []struct {
		name    string
		dialect sourceflow.Dialect
		f       *sqldbtest.DB
		want    string // "" for no warning
	}{
		{"postgres remote", sourceflow.Postgres, &sqldbtest.DB{Rows: sqldbtest.PostgresLink(false, "10.0.0.5", 5432)},
			"idempotency/sqlstore: the connection to postgres at 10.0.0.5:5432 is not encrypted"},
		{"postgres loopback", sourceflow.Postgres, &sqldbtest.DB{Rows: sqldbtest.PostgresLink(false, "127.0.0.1", 5432)}, ""},
		{"mysql remote", sourceflow.MySQL, &sqldbtest.DB{Rows: sqldbtest.MySQLLink("", "10.1.2.3", "db1", 3306)},
			"idempotency/sqlstore: the connection to mysql at db1:3306 is not encrypted"},
		{"mysql remote with TLS", sourceflow.MySQL, &sqldbtest.DB{Rows: sqldbtest.MySQLLink("TLS_AES_128_GCM_SHA256", "10.1.2.3", "db1", 3306)}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logger := watermill.NewCaptureLogger()

			s, err := sqlstore.New(t.Context(), tt.f.Open(t), sqlstore.Config{Dialect: tt.dialect, SkipMigrations: true, Logger: logger})
			require.NoError(t, err)
			require.NoError(t, s.Close())

			var got []string
			for _, m := range logger.Captured()[watermill.InfoLogLevel] {
				if strings.Contains(m.Msg, "is not encrypted") {
					got = append(got, m.Msg)
				}
			}
			if tt.want == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Contains(t, got[0], tt.want)
		})
	}
}
