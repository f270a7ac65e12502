package outbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// An outbox whose connection crosses a network in clear text says so
// once, at its first Bind, naming outbox, the address the server reports
// and what to set; a local connection draws nothing.
func TestOutboxWarnsOnceOfAPlaintextConnection(t *testing.T) {
	for _, tt := range []struct {
		name    string
		dialect sourceflow.Dialect
		report  func(f *sqldbtest.DB)
		want    string // "" for no warning
	}{
		{"postgres remote", sourceflow.Postgres, func(f *sqldbtest.DB) { f.Rows = sqldbtest.PostgresLink(false, "10.0.0.5", 5432) },
			"outbox: the connection to postgres at 10.0.0.5:5432 is not encrypted"},
		{"postgres remote with TLS", sourceflow.Postgres, func(f *sqldbtest.DB) { f.Rows = sqldbtest.PostgresLink(true, "10.0.0.5", 5432) }, ""},
		{"postgres loopback", sourceflow.Postgres, func(f *sqldbtest.DB) { f.Rows = sqldbtest.PostgresLink(false, "::1", 5432) }, ""},
		{"mysql remote", sourceflow.MySQL, func(f *sqldbtest.DB) { f.Rows = sqldbtest.MySQLLink("", "10.1.2.3", "db1", 3306) },
			"outbox: the connection to mysql at db1:3306 is not encrypted"},
		{"mysql socket", sourceflow.MySQL, func(f *sqldbtest.DB) { f.Rows = sqldbtest.MySQLLink("", "localhost", "db1", 3306) }, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeDB("")
			tt.report(f)
			logger := watermill.NewCaptureLogger()
			inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
			require.NoError(t, err)
			box, err := outbox.New(outbox.Config{DB: f.Open(t), Dialect: tt.dialect, Transport: inner, Logger: logger})
			require.NoError(t, err)
			assert.Empty(t, f.Ran(""), "New touched the database")

			require.NoError(t, box.Bind(t.Context(), sourceflow.Binding{Service: "orders"}))
			require.NoError(t, box.Bind(t.Context(), sourceflow.Binding{Service: "orders"}))
			require.NoError(t, sqldbtest.Within(t, "Close", box.Close))

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

// A Bind whose context ends while the server has not answered the check
// leaves it to a later Bind, which logs the warning.
func TestOutboxChecksAgainAfterABindCutShort(t *testing.T) {
	f := fakeDB("")
	f.Rows = sqldbtest.PostgresLink(false, "10.0.0.5", 5432)
	f.Hanging = make(chan string, 1)
	f.HangOn("pg_stat_ssl")
	logger := watermill.NewCaptureLogger()
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	box, err := outbox.New(outbox.Config{DB: f.Open(t), Dialect: sourceflow.Postgres, Transport: inner, Logger: logger})
	require.NoError(t, err)
	t.Cleanup(func() { _ = box.Close() })

	ctx, cancel := context.WithCancel(t.Context())
	bound := make(chan error, 1)
	go func() { bound <- box.Bind(ctx, sourceflow.Binding{Service: "orders"}) }()
	<-f.Hanging
	f.HangOn("")
	cancel()
	<-bound // it may fail: its context ended

	require.NoError(t, box.Bind(t.Context(), sourceflow.Binding{Service: "orders"}))
	var got []string
	for _, m := range logger.Captured()[watermill.InfoLogLevel] {
		if strings.Contains(m.Msg, "is not encrypted") {
			got = append(got, m.Msg)
		}
	}
	require.Len(t, got, 1, "the later Bind checks the connection")
}
