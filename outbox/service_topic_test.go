package outbox_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// TopicFor names each service's outbox apart, with a valid Topic, whatever
// the service name.
func TestTopicForNamesAnOutboxPerService(t *testing.T) {
	assert.Equal(t, "outbox_billing", outbox.TopicFor("billing"))
	names := []string{"billing", "notify", "billing-api", "billing_api", "Billing", "billing.api",
		strings.Repeat("a", 40), strings.Repeat("a", 41), "x_dead_letters", "", "ünï"}
	seen := map[string]string{}
	for _, name := range names {
		topic := outbox.TopicFor(name)
		require.NoError(t, outbox.ValidateTopic(topic), "service %q", name)
		other, dup := seen[topic]
		assert.False(t, dup, "services %q and %q share the outbox %q", name, other, topic)
		seen[topic] = name
	}
}

// A plain service name that looks like a hashed one does not take the
// outbox of the name it was hashed from.
func TestTopicForKeepsPlainNamesApartFromHashedOnes(t *testing.T) {
	for _, name := range []string{"Billing", "billing-api", strings.Repeat("a", 41)} {
		hashed := outbox.TopicFor(name)
		plain := strings.TrimPrefix(hashed, "outbox_")
		assert.NotEqual(t, hashed, outbox.TopicFor(plain), "services %q and %q share the outbox", name, plain)
	}
}

// With Config.Topic empty, the first Bind names the outbox after its
// service; a Bind of another service is refused, since its rows would go
// into that outbox. An explicit Topic is kept, for every service.
func TestBindNamesTheOutboxAfterTheService(t *testing.T) {
	f := fakeDB("")
	box := newFakeBox(t, f, sourceflow.Postgres, "")
	require.NoError(t, sqldbtest.Within(t, "Bind", func() error {
		return box.Bind(context.Background(), sourceflow.Binding{Service: "billing"})
	}))
	t.Cleanup(func() { assert.NoError(t, box.Close()) })
	assert.NotEmpty(t, f.Ran("watermill_outbox_billing"), "the outbox table is the service's")
	assert.Empty(t, f.Ran("watermill_sourceflow_outbox"), "no shared table")
	require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "billing"}), "another Bind of the service")
	err := box.Bind(context.Background(), sourceflow.Binding{Service: "notify"})
	require.ErrorIs(t, err, outbox.ErrInvalidConfig)
	assert.ErrorContains(t, err, `service "billing" bound this outbox, whose Topic "outbox_billing" comes from its name; service "notify" needs an outbox Transport of its own`)

	explicit := newFakeBox(t, fakeDB(""), sourceflow.Postgres, "shared_outbox")
	for _, service := range []string{"billing", "notify"} {
		require.NoError(t, sqldbtest.Within(t, "Bind", func() error {
			return explicit.Bind(context.Background(), sourceflow.Binding{Service: service})
		}))
	}
	require.NoError(t, explicit.Close())
}

// The functions that read or write an outbox without a service need its
// Topic.
func TestOutboxFunctionsWithoutAServiceNeedTheTopic(t *testing.T) {
	_, err := outbox.Prune(context.Background(), outbox.Config{DB: fakeDB("").Open(t), Dialect: sourceflow.Postgres})
	require.ErrorIs(t, err, outbox.ErrInvalidConfig)
	assert.ErrorContains(t, err, "Config.Topic must be set: a service's outbox is TopicFor(service name)")
}

// Two services on one database, each with the default Topic, forward only
// their own rows: billing's forwarder runs while notify's rows wait for
// notify's, and each inner transport receives its own service's messages.
func TestTwoServicesOnOneDatabaseForwardOnlyTheirOwnRows(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		billing, notify := uniqueName("billing"), uniqueName("notify")
		d.dropOutbox(t, db, outbox.TopicFor(billing))
		d.dropOutbox(t, db, outbox.TopicFor(notify))
		newBox := func(service string, got *receipts, forward bool) *outbox.Transport {
			box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, DisableForwarder: !forward,
				Transport: &hiccupInner{failEvery: 1 << 62, got: got}})
			require.NoError(t, err)
			require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: service}))
			t.Cleanup(func() { assert.NoError(t, box.Close()) })
			return box
		}
		billingGot, notifyGot := &receipts{first: map[string]int{}}, &receipts{first: map[string]int{}}
		billingBox := newBox(billing, billingGot, true)
		notifyWriter := newBox(notify, notifyGot, false)

		commitOne(t, d, db, notifyWriter, "notify-1")
		commitOne(t, d, db, billingBox, "billing-1")
		require.Eventually(t, func() bool { _, ok := billingGot.at("billing-1"); return ok }, waitFor, 20*time.Millisecond)
		_, taken := billingGot.at("notify-1")
		assert.False(t, taken, "billing's forwarder took a row of notify's outbox")

		newBox(notify, notifyGot, true)
		require.Eventually(t, func() bool { _, ok := notifyGot.at("notify-1"); return ok }, waitFor, 20*time.Millisecond)
		_, taken = notifyGot.at("billing-1")
		assert.False(t, taken, "notify's forwarder took a row of billing's outbox")
	})
}

// commitOne writes one message for "dest" into box's outbox in a
// transaction on db.
func commitOne(t *testing.T, d dialect, db *sql.DB, box *outbox.Transport, id string) {
	t.Helper()
	pub, err := box.Publisher("dest")
	require.NoError(t, err)
	require.NoError(t, sqldb.WithinTx(context.Background(), "sqlstore", db, "", d.dialect, func(ctx context.Context) error {
		m := message.NewMessage(id, []byte("{}"))
		m.SetContext(ctx)
		return pub.Publish("dest", m)
	}))
}
