package sqlbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// The check of the connection runs within the context of the message whose
// Publish runs it: another Publish meanwhile does not wait for it, and one
// whose context ended before the server answered leaves the check to a
// later Publish, which logs the warning.
func TestTransportsPlaintextCheckNeitherHoldsOtherPublishesNorIsLostWithItsContext(t *testing.T) {
	f := &sqldbtest.DB{Rows: sqldbtest.PostgresLink(false, "10.0.0.5", 5432), Hanging: make(chan string, 1)}
	f.HangOn("pg_stat_ssl")
	logger := watermill.NewCaptureLogger()
	tr, err := sqlbus.NewTransport(sqlbus.Config{DB: f.Open(t), Dialect: sourceflow.Postgres, Logger: logger})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(t.Context(), sourceflow.Binding{Service: "billing"}))
	pub, err := tr.Publisher("orders")
	require.NoError(t, err)
	publish := func(ctx context.Context, id string) <-chan error {
		msg := message.NewMessage(id, []byte("{}"))
		msg.SetContext(ctx)
		done := make(chan error, 1)
		go func() { done <- pub.Publish(sqlbus.Topic("orders"), msg) }()
		return done
	}

	ctx, cancel := context.WithCancel(t.Context())
	first := publish(ctx, "1")
	select {
	case <-f.Hanging:
	case <-time.After(10 * time.Second):
		t.Fatal("the first publish did not check the connection")
	}
	select {
	case err := <-publish(t.Context(), "2"):
		require.NoError(t, err)
	case <-time.After(5 * time.Second): // less than the check's own bound, 10s
		t.Fatal("a publish waits for the check another publish runs")
	}
	f.HangOn("")
	cancel()
	<-first
	require.Empty(t, plaintextWarnings(logger), "the check was cut short")

	require.NoError(t, <-publish(t.Context(), "3"))
	require.Len(t, plaintextWarnings(logger), 1, "a later publish checks the connection again")
	require.NoError(t, <-publish(t.Context(), "4"))
	require.Len(t, plaintextWarnings(logger), 1, "once checked, the connection is not checked again")
}
