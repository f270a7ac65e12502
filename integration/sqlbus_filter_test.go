//go:build integration

package integration

import (
	"context"
	"database/sql"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

type filterPlaced struct {
	ID string `json:"id"`
}

type filterShipped struct {
	ID string `json:"id"`
}

// On sqlbus every consumer group of a topic receives every event raised
// there: an event of a type a service does not handle (registered or not)
// is not dead-lettered at that service, and what follows it is handled, as
// on awsbus, whose queue's filter policy keeps such a type out.
func TestFilterSQLBusLeavesAnUnhandledEventTypeAlone(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		for _, knows := range []bool{false, true} {
			t.Run(map[bool]string{false: "type not registered", true: "type registered without a handler"}[knows], func(t *testing.T) {
				topic := sqlbusName("filter", "events")
				dropSQLBusTables(t, d, db, topic)
				cfg := sqlbusConfig(d, db)
				placed := filterBilling(t, cfg, topic, knows)
				orders := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: "orders"})
				require.NoError(t, cqrs.RegisterEvent[filterPlaced](orders, "filter.Placed", topic))
				require.NoError(t, cqrs.RegisterEvent[filterShipped](orders, "filter.Shipped", topic))
				require.NoError(t, orders.Start(context.Background()))
				ctx := context.Background()
				_, err := orders.EventQueue().Raise(ctx, "o-1", filterShipped{ID: "o-1"})
				require.NoError(t, err)
				_, err = orders.EventQueue().Raise(ctx, "o-1", filterPlaced{ID: "o-1"})
				require.NoError(t, err)

				// billing's group takes the events in order: filter.Placed is
				// handled once filter.Shipped was settled.
				require.EventuallyWithT(t, func(c *assert.CollectT) {
					assert.Equal(c, int64(1), placed.Load(), "billing handled filter.Placed")
				}, 30*time.Second, 20*time.Millisecond)
				dead, _, err := sqlbus.DeadLetters(ctx, cfg, topic, sqlbus.DeadLetterQuery{Max: 10})
				require.NoError(t, err)
				for _, dl := range dead {
					assert.NotEqual(t, "filter.Shipped", dl.Message.Metadata.Get(sourceflow.MetaType),
						"filter.Shipped dead-lettered: %s", dl.Reason)
				}
				types, err := sqlbus.EventFilter(ctx, cfg, topic, "billing")
				require.NoError(t, err)
				assert.Equal(t, []string{"filter.Placed"}, types, "billing's event filter")
			})
		}
	})
}

// filterBilling starts "billing", which listens to topic and handles
// filter.Placed there, counting it; it registers filter.Shipped, without a
// handler, when knows.
func filterBilling(t *testing.T, cfg sqlbus.Config, topic string, knows bool) *atomic.Int64 {
	t.Helper()
	svc := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: "billing", Listen: []string{topic}})
	require.NoError(t, cqrs.RegisterEvent[filterPlaced](svc, "filter.Placed", topic))
	if knows {
		require.NoError(t, cqrs.RegisterEvent[filterShipped](svc, "filter.Shipped", topic))
	}
	var placed atomic.Int64
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "bill"), func(context.Context, *cqrs.Aggregate, filterPlaced, cqrs.Envelope) error {
		placed.Add(1)
		return nil
	}))
	require.NoError(t, svc.Start(context.Background()))
	return &placed
}

// A Start whose event type filter cannot be widened fails, naming the
// consumer group, the topic and the type: on MySQL a type name longer than
// the event_type column (1,024 bytes) holds.
func TestFilterSQLBusStartFailsWhenTheFilterCannotBeWidened(t *testing.T) {
	d := sourceflow.MySQL
	db := sqlbusDB(t, d, "SOURCEFLOW_MYSQL_DSN")
	topic := sqlbusName("filterlong", "events")
	dropSQLBusTables(t, d, db, topic)
	cfg := sqlbusConfig(d, db)
	svc := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: "billing", Listen: []string{topic}})
	long := "filter." + strings.Repeat("x", 1100)
	require.NoError(t, cqrs.RegisterEvent[filterPlaced](svc, long, topic))
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "bill"), func(context.Context, *cqrs.Aggregate, filterPlaced, cqrs.Envelope) error {
		return nil
	}))

	err := svc.Start(context.Background())
	require.Error(t, err)
	assert.ErrorContains(t, err, `widen the event type filter of consumer group "billing" on "`+sqlbus.Topic(topic)+`"`)
	assert.ErrorContains(t, err, "add event type")
}

// The event type filter holds the consumer group of any service name the
// offsets tables hold: on MySQL one of up to 767 bytes, such as 100
// three-byte characters, starts and has its filter kept.
func TestFilterSQLBusHoldsAServiceNameTheOffsetsTablesHold(t *testing.T) {
	d := sourceflow.MySQL
	db := sqlbusDB(t, d, "SOURCEFLOW_MYSQL_DSN")
	topic := sqlbusName("filtername", "events")
	dropSQLBusTables(t, d, db, topic)
	cfg := sqlbusConfig(d, db)
	name := strings.Repeat("€", 100)
	svc := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: name, Listen: []string{topic}})
	require.NoError(t, cqrs.RegisterEvent[filterPlaced](svc, "filter.Placed", topic))
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "bill"), func(context.Context, *cqrs.Aggregate, filterPlaced, cqrs.Envelope) error {
		return nil
	}))

	require.NoError(t, svc.Start(context.Background()))
	types, err := sqlbus.EventFilter(context.Background(), cfg, topic, name)
	require.NoError(t, err)
	assert.Equal(t, []string{"filter.Placed"}, types)
}
