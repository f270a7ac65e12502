package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// With no Logger set (its default, watermill.NopLogger, drops every line)
// the store's warnings of a connection anyone on the network path could
// read reach slog's default logger at Warn: clear text, and TLS that does
// not verify the server, which only the DSN tells (as sqlbackend's Open
// hands it over). With a Logger set, that logger receives them and slog's
// default logger nothing. It swaps the process's default logger: it must
// not run in parallel.
func TestNewWarnsWithoutALoggerThroughSlogsDefault(t *testing.T) {
	for _, tt := range []struct {
		name, dsn, want string
	}{
		{"mysql clear text", "app@tcp(db1:3306)/shop", "idempotency/sqlstore: the connection to mysql at db1:3306 is not encrypted"},
		{"mysql tls=skip-verify", "app@tcp(db1:3306)/shop?tls=skip-verify",
			"idempotency/sqlstore: the connection to mysql at db1:3306 is encrypted but the server's certificate is not verified"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cipher := ""
			if strings.Contains(tt.dsn, "tls=") {
				cipher = "TLS_AES_128_GCM_SHA256"
			}
			newStore := func(logger watermill.LoggerAdapter) {
				db := (&sqldbtest.DB{Rows: sqldbtest.MySQLLink(cipher, "10.1.2.3", "db1", 3306)}).Open(t)
				ctx := sqldb.WithOpenedFrom(context.Background(), db, tt.dsn)
				s, err := sqlstore.New(ctx, db, sqlstore.Config{Dialect: sourceflow.MySQL, SkipMigrations: true, Logger: logger})
				require.NoError(t, err)
				require.NoError(t, s.Close())
			}

			lines := sqldbtest.CaptureSlogDefault(t)
			newStore(nil)
			assert.Equal(t, 1, strings.Count(lines.String(), tt.want), lines.String())
			assert.Contains(t, lines.String(), `level=WARN msg="`+tt.want)

			lines = sqldbtest.CaptureSlogDefault(t)
			logger := watermill.NewCaptureLogger()
			newStore(logger)
			assert.NotContains(t, lines.String(), "idempotency/sqlstore")
			if got := logger.Captured()[watermill.InfoLogLevel]; assert.Len(t, got, 1) {
				assert.Contains(t, got[0].Msg, tt.want)
			}
		})
	}
}
