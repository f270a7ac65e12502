//go:build integration

package integration

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusPublishOfMessagesThatFitOneByOneButNotTogether publishes, on
// MySQL, in one call, two messages each of which fits in the server's
// max_allowed_packet on its own but not together with the other: both are
// stored, in order, as a publish of each on its own would store them,
// instead of failing, not permanently and at times with nothing but
// "driver: bad connection", on every try.
func TestSQLBusPublishOfMessagesThatFitOneByOneButNotTogether(t *testing.T) {
	d := sourceflow.MySQL
	db := sqlbusDB(t, d, "SOURCEFLOW_MYSQL_DSN")
	var packet int
	require.NoError(t, db.QueryRow("SELECT @@max_allowed_packet").Scan(&packet))
	queue := sqlbusName("bigbatch", "")
	dropSQLBusTables(t, d, db, queue)
	tr, err := sqlbus.NewTransport(sqlbusConfig(d, db))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tr.Close()) })
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "bigbatch"}))
	pub, err := tr.Publisher(queue)
	require.NoError(t, err)

	// Each a little over half the limit, and small enough for the driver
	// to send inline rather than as long data.
	size := packet/2 + 64<<10
	first := message.NewMessage(watermill.NewUUID(), []byte(strings.Repeat("a", size)))
	second := message.NewMessage(watermill.NewUUID(), []byte(strings.Repeat("b", size)))
	require.NoError(t, pub.Publish(queue, first, second), "each message fits in max_allowed_packet")

	rows, err := db.Query("SELECT uuid FROM " + quoteIdent(d, "watermill_"+sqlbus.Topic(queue)) + " ORDER BY `offset`")
	require.NoError(t, err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		got = append(got, id)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{first.UUID, second.UUID}, got, "both stored, in order")
}

// TestSQLBusRowCheckHoldsWithInterpolatedParameters publishes, on MySQL
// through a DSN with interpolateParams=true, a message within the server's
// max_allowed_packet whose payload the driver escapes into a statement
// larger than it: the publish either stores it or refuses it, for good,
// with ErrInvalidMessage, never failing at random with "bad connection"
// on every try. go-sql-driver/mysql escapes each NUL, newline, carriage
// return, backslash, quote and Ctrl-Z of an interpolated value into two
// bytes, and sends the statement as text unless it exceeds the client's
// own maxAllowedPacket (64 MiB by default, above the server's 16 MiB
// default on MariaDB).
func TestSQLBusRowCheckHoldsWithInterpolatedParameters(t *testing.T) {
	d := sourceflow.MySQL
	dsn := os.Getenv("SOURCEFLOW_MYSQL_DSN")
	if dsn == "" {
		t.Fatal("SOURCEFLOW_MYSQL_DSN is not set; run `make test` (it starts the MySQL database)")
	}
	db, err := sql.Open(d.DriverName(), dsn+"&interpolateParams=true")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	var packet int
	require.NoError(t, db.QueryRow("SELECT @@max_allowed_packet").Scan(&packet))
	queue := sqlbusName("interp", "")
	dropSQLBusTables(t, d, db, queue)
	tr, err := sqlbus.NewTransport(sqlbusConfig(d, db))
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "interp"}))
	pub, err := tr.Publisher(queue)
	require.NoError(t, err)

	m := message.NewMessage(watermill.NewUUID(), []byte(strings.Repeat(`"`, packet*3/4)))
	err = pub.Publish(queue, m)
	if err != nil {
		require.ErrorIs(t, err, sqlbus.ErrInvalidMessage, "refused by name, not failed at random")
		assert.True(t, sourceflow.IsPermanent(err))
	}
}
