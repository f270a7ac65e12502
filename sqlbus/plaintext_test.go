package sqlbus_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// plaintextWarnings returns the info lines of logger that say a connection
// is not encrypted.
func plaintextWarnings(logger *watermill.CaptureLoggerAdapter) []string {
	var out []string
	for _, m := range logger.Captured()[watermill.InfoLogLevel] {
		if strings.Contains(m.Msg, "is not encrypted") {
			out = append(out, m.Msg)
		}
	}
	return out
}

// A transport whose connection crosses a network in clear text says so
// once, at its first publish or subscription, naming sqlbus, the address
// the server reports and what to set; a local connection draws nothing.
func TestTransportWarnsOnceOfAPlaintextConnection(t *testing.T) {
	for _, tt := range []struct {
		name, serverAddr string
		want             int
	}{
		{"remote", "10.0.0.5", 1},
		{"loopback", "127.0.0.1", 0},
		{"unix socket", "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &sqldbtest.DB{Rows: sqldbtest.PostgresLink(false, tt.serverAddr, 5432)}
			logger := watermill.NewCaptureLogger()
			tr, err := sqlbus.NewTransport(sqlbus.Config{DB: f.Open(t), Dialect: sourceflow.Postgres, Logger: logger})
			require.NoError(t, err)
			t.Cleanup(func() { _ = tr.Close() })
			assert.Empty(t, f.Ran(""), "NewTransport touched the database")
			require.NoError(t, tr.Bind(t.Context(), sourceflow.Binding{Service: "billing"}))
			pub, err := tr.Publisher("orders")
			require.NoError(t, err)
			sub, err := tr.Subscriber("orders")
			require.NoError(t, err)
			t.Cleanup(func() { _ = sub.Close() })

			require.NoError(t, pub.Publish(sqlbus.Topic("orders"), message.NewMessage("1", []byte("{}"))))
			require.NoError(t, pub.Publish(sqlbus.Topic("orders"), message.NewMessage("2", []byte("{}"))))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			_, err = sub.Subscribe(ctx, sqlbus.Topic("orders"))
			require.NoError(t, err)

			got := plaintextWarnings(logger)
			require.Len(t, got, tt.want)
			assert.Len(t, f.Ran("pg_stat_ssl"), 1, "checks of the connection")
			if tt.want > 0 {
				assert.Contains(t, got[0], "sqlbus: the connection to postgres at 10.0.0.5:5432 is not encrypted")
				assert.Contains(t, got[0], "sslmode=verify-full")
			}
		})
	}
}
