package outbox_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// Environment of the writer process the crash test starts: this test binary
// run again with crashWriterEnv set (see TestMain).
const (
	crashWriterEnv = "SOURCEFLOW_OUTBOX_CRASH_WRITER"
	crashDialect   = "SOURCEFLOW_OUTBOX_CRASH_DIALECT"
	crashDSN       = "SOURCEFLOW_OUTBOX_CRASH_DSN"
	crashTopic     = "SOURCEFLOW_OUTBOX_CRASH_TOPIC"
	crashPrefix    = "SOURCEFLOW_OUTBOX_CRASH_PREFIX"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashWriterEnv) != "" {
		crashAfterCommit()
	}
	os.Exit(m.Run())
}

// crashAfterCommit is the writer process: it sends one command in a
// transaction, prints its message id once the transaction committed, and
// exits at once, leaving the command in the outbox unforwarded.
func crashAfterCommit() {
	id, err := commitOneCommand(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		os.Exit(2)
	}
	fmt.Println(id)
	os.Exit(0) // no Close: the process dies right after the commit
}

func commitOneCommand(ctx context.Context) (string, error) {
	d := sourceflow.Dialect(os.Getenv(crashDialect))
	db, err := sqldb.Open(ctx, sqldb.Config{Dialect: d, DSN: os.Getenv(crashDSN)})
	if err != nil {
		return "", err
	}
	store, err := sqlstore.New(ctx, db, sqlstore.Config{Dialect: d, TablePrefix: os.Getenv(crashPrefix)})
	if err != nil {
		return "", err
	}
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	if err != nil {
		return "", err
	}
	box, err := outbox.New(outbox.Config{DB: db, Dialect: d, Transport: inner,
		Topic: os.Getenv(crashTopic), DisableForwarder: true})
	if err != nil {
		return "", err
	}
	svc, err := wire("orders-writer", box, store, nil, nil)
	if err != nil {
		return "", err
	}
	if err := svc.Start(ctx); err != nil {
		return "", err
	}
	var env cqrs.Envelope
	err = store.WithinTx(ctx, func(ctx context.Context) error {
		env, err = cqrs.NewAggregate(svc, "order").Send(ctx, "o-crash", PlaceOrder{OrderID: "o-crash"})
		return err
	})
	return env.MessageID, err
}

// A process that committed a command into the outbox and died before any
// forwarder ran loses nothing: a forwarder started later delivers it. A
// second forward of the same row (an instance that died after forwarding,
// before acknowledging) is delivered again and absorbed by the consumer's
// idempotency: at least one delivery, exactly one effect.
func TestCommandCommittedByACrashedProcessIsForwardedLater(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obx")
		d.dropOutbox(t, db, topic)
		id := runCrashingWriter(t, d, db, topic)
		require.Equal(t, 1, d.outboxRows(t, db, topic), "the writer committed its command into the outbox")

		h := newHarness(t, d, db, topic, nil)
		require.Eventually(t, func() bool { return h.handled.count(id) == 1 }, waitFor, 10*time.Millisecond,
			"a forwarder started after the crash delivers the committed command")

		// The consumer may handle the command before the forwarder commits
		// its offset; a rewind before that commit would be overwritten by it.
		require.EventuallyWithT(t, func(c *assert.CollectT) { assert.True(c, d.forwardedAll(c, db, topic)) }, waitFor, 10*time.Millisecond,
			"the forwarder acknowledged the row")
		d.rewindOffsets(t, db, topic)
		require.Eventually(t, func() bool { return h.deliveries.count(id) >= 2 }, waitFor, 10*time.Millisecond,
			"the row is forwarded again")
		// Deliveries are counted before the idempotency middleware runs.
		require.Eventually(t, func() bool { return h.dedup.Stats().Duplicates >= 1 }, waitFor, 10*time.Millisecond,
			"the consumer's idempotency absorbed the second delivery")
		assert.Equal(t, 1, h.handled.count(id), "the second delivery has no effect")
	})
}

// runCrashingWriter runs the writer process against topic and returns the
// message id it committed.
func runCrashingWriter(t *testing.T, d dialect, db *sql.DB, topic string) string {
	t.Helper()
	_, users := newStore(t, d, db)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashWriterEnv+"=1", crashDialect+"="+string(d.dialect),
		crashDSN+"="+d.dsn(t), crashTopic+"="+topic, crashPrefix+"="+strings.TrimSuffix(users, "users"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "writer: %s", stderr.String())
	id := strings.TrimSpace(stdout.String())
	require.NotEmpty(t, id)
	return id
}
