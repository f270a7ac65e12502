package outbox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// Dead letters that together exceed MySQL's max_allowed_packet, each well
// within it, are all redriven: each goes back into the outbox in a
// statement of its own.
func TestRedriveMovesDeadLettersLargerTogetherThanTheServersPacketLimit(t *testing.T) {
	d, db, topic := freshMySQLOutbox(t, "obx")
	ctx := context.Background()
	var packet int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT @@max_allowed_packet").Scan(&packet))
	box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Transport: &recordingTransport{}, Topic: topic, DisableForwarder: true})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, box.Close()) })
	require.NoError(t, box.Bind(ctx, sourceflow.Binding{Service: "orders"}))

	const rows = 20
	size := inlinedParameterSize(t, d, rows*3)
	if rows*size <= packet {
		t.Logf("max_allowed_packet is %d bytes: %d rows the driver sends inline (%d bytes each) stay within it", packet, rows, size)
	}
	for i := range rows {
		head := fmt.Sprintf(`{"destination_topic":"orders","uuid":"m-%d","payload":"","body":"`, i)
		payload := head + strings.Repeat("x", size-len(head)-2) + `"}`
		d.insertRow(t, db, topic+"_dead_letters", fmt.Sprint("dead-", i), payload, `{"sf_failure":"refused"}`)
	}

	cfg := outbox.Config{DB: db, Dialect: d.dialect, Topic: topic}
	n, err := outbox.Redrive(ctx, cfg)
	require.NoError(t, err)
	assert.Equal(t, rows, n)
	assert.Equal(t, rows, d.outboxRows(t, db, topic), "every dead letter is back in the outbox")
	letters, _, err := outbox.DeadLetters(ctx, cfg, outbox.DeadLetterQuery{Max: 1000})
	require.NoError(t, err)
	assert.Empty(t, letters)
}

// inlinedParameterSize returns a size of parameter that the MySQL driver
// of d's DSN sends inside a statement of params parameters (a larger one it
// sends ahead, apart, which the server's packet limit does not count with
// the statement): nine tenths of the driver's packet limit shared among
// them.
func inlinedParameterSize(t *testing.T, d dialect, params int) int {
	t.Helper()
	cfg, err := mysql.ParseDSN(d.dsn(t))
	require.NoError(t, err)
	limit := cfg.MaxAllowedPacket
	if limit <= 0 { // the driver takes the server's
		require.NoError(t, d.open(t).QueryRow("SELECT @@max_allowed_packet").Scan(&limit))
	}
	return limit / (params + 1) * 9 / 10
}
