package dynamostore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/destgrace"
)

// routelessTransport is a recordingTransport without a publisher for the
// destinations in missing, whose Publisher fails with their error: an
// instance of a version that does not know them.
type routelessTransport struct {
	*recordingTransport
	missing map[string]error
}

// Publisher fails for a missing destination.
func (r routelessTransport) Publisher(destination string) (message.Publisher, error) {
	if err, ok := r.missing[destination]; ok {
		return nil, err
	}
	return r.recordingTransport.Publisher(destination)
}

// graceItem is an outbox item of shard "svc#0" to destination, which its
// transaction wrote at written.
type graceItem struct {
	id, destination string
	written         time.Time
}

// shardItemsWritten answers a Query of shard "svc#0" with items, and of
// any other shard with nothing.
func shardItemsWritten(body string, items ...graceItem) (int, string) {
	if !strings.Contains(body, `"svc#0"`) {
		return http.StatusOK, `{"Items":[]}`
	}
	out := make([]string, len(items))
	for i, it := range items {
		sk := digits(it.written.UnixNano()) + "#" + fmt.Sprintf("%03d", i) + "#" + it.id + "#" + it.destination
		out[i] = `{"pk":{"S":"svc#0"},"sk":{"S":"` + sk + `"},"uuid":{"S":"` + it.id + `"},` +
			`"destination":{"S":"` + it.destination + `"},"metadata":{"M":{}},"payload":{"B":"AA=="}}`
	}
	return http.StatusOK, `{"Items":[` + strings.Join(out, ",") + `]}`
}

// outboxUpdate is an UpdateItem the sweep sent: its update expression with
// the attribute names in place.
type outboxUpdate struct {
	expr string
	sk   string
}

// updatesOf returns those of ups whose message is id, in order.
func updatesOf(ups []outboxUpdate, id string) []string {
	var out []string
	for _, u := range ups {
		if strings.Contains(u.sk, "#"+id+"#") {
			out = append(out, u.expr)
		}
	}
	return out
}

// updates returns the UpdateItems f answered, in order.
func updates(t *testing.T, f *fakeDynamo) []outboxUpdate {
	t.Helper()
	var out []outboxUpdate
	for _, c := range f.ops("UpdateItem") {
		var in struct {
			UpdateExpression         string
			ExpressionAttributeNames map[string]string
			Key                      struct {
				SK struct{ S string } `json:"sk"`
			}
		}
		require.NoError(t, json.Unmarshal([]byte(c.body), &in))
		names := slices.SortedFunc(func(yield func(string) bool) {
			for k := range in.ExpressionAttributeNames {
				if !yield(k) {
					return
				}
			}
		}, func(a, b string) int { return len(b) - len(a) })
		expr := strings.TrimSpace(in.UpdateExpression)
		for _, k := range names {
			expr = strings.ReplaceAll(expr, k, in.ExpressionAttributeNames[k])
		}
		out = append(out, outboxUpdate{expr: expr, sk: in.Key.SK.S})
	}
	return out
}

// deadLetterings returns the dead-letterings f answered, in order: the
// TransactWriteItems that delete a message from its shard and put it, with
// its reason, into the shard's dead letters.
func deadLetterings(t *testing.T, f *fakeDynamo) []outboxItem {
	t.Helper()
	var out []outboxItem
	for _, c := range f.ops("TransactWriteItems") {
		var in struct {
			TransactItems []struct {
				Delete *struct{ Key map[string]struct{ S string } }
				Put    *struct{ Item map[string]struct{ S string } }
			}
		}
		require.NoError(t, json.Unmarshal([]byte(c.body), &in))
		require.Len(t, in.TransactItems, 2, c.body)
		del, put := in.TransactItems[0].Delete, in.TransactItems[1].Put
		require.True(t, del != nil && put != nil, c.body)
		require.Equal(t, del.Key[attrSK].S, put.Item[attrSK].S, "the dead letter keeps its sort key")
		out = append(out, outboxItem{PK: put.Item[attrPK].S, SK: put.Item[attrSK].S, Failure: put.Item[attrFailure].S})
	}
	return out
}

// A message whose destination this instance's transport has no publisher
// for (a route an instance of a newer version added) is released, not
// dead-lettered: as at a transient failure, the messages behind it for that
// destination wait for an instance that knows the route, while the shard's
// messages for other destinations go out.
func TestOutboxSweepReleasesAMessageForAnUnknownDestination(t *testing.T) {
	written := time.Now().Add(-time.Hour) // however old: the grace runs on this instance
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		if op == "Query" {
			return shardItemsWritten(body, graceItem{"m-new", "new-route", written},
				graceItem{"m-after", "events", written}, graceItem{"m-behind", "new-route", written})
		}
		return 0, ""
	}}
	inner := routelessTransport{&recordingTransport{}, map[string]error{"new-route": errors.New("no route new-route")}}
	_, o := fakeOutbox(t, f, inner)

	n, err := o.Sweep(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no publisher for destination "new-route"`)
	assert.False(t, sourceflow.IsPermanent(err))
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"m-after"}, inner.uuids(), "the other destination goes on")
	ups := updates(t, f)
	require.Len(t, ups, 3, "m-new claimed, then released; m-after claimed; m-behind left unclaimed")
	claim := "SET " + attrLease + " = :1"
	assert.Equal(t, []string{claim, "REMOVE " + attrLease}, updatesOf(ups, "m-new"), "released, not marked failed")
	assert.Equal(t, []string{claim}, updatesOf(ups, "m-after"))
	assert.Empty(t, updatesOf(ups, "m-behind"), "left unclaimed")
}

// Once a destination has had no publisher on this instance for the grace,
// its messages are kept as dead letters, with a reason naming the
// destination.
func TestOutboxSweepDeadLettersAnUnknownDestinationAfterTheGrace(t *testing.T) {
	written := time.Now()
	items := []graceItem{{"m-gone", "removed-route", written}, {"m-after", "events", written}}
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		if op == "Query" {
			return shardItemsWritten(body, items...)
		}
		return 0, ""
	}}
	inner := routelessTransport{&recordingTransport{}, map[string]error{"removed-route": errors.New("no route")}}
	_, o := fakeOutbox(t, f, inner)
	now := time.Now()
	o.grace = destgrace.NewClock(func() time.Time { return now })

	n, err := o.Sweep(context.Background())
	require.Error(t, err, "within the grace: released")
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"m-after"}, inner.uuids(), "the other destination goes on")
	items = items[:1] // m-after went out and was deleted
	now = now.Add(destgrace.Grace)
	n, err = o.Sweep(context.Background())
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Equal(t, []string{"m-after"}, inner.uuids())
	ups := updates(t, f)
	require.Len(t, ups, 4, "claim and release m-gone, claim m-after; claim m-gone")
	claim := "SET " + attrLease + " = :1"
	assert.Equal(t, []string{claim, "REMOVE " + attrLease, claim}, updatesOf(ups, "m-gone"))
	dead := deadLetterings(t, f)
	require.Len(t, dead, 1, "m-gone moved to its shard's dead letters")
	assert.Equal(t, "svc#0#dead", dead[0].PK)
	assert.Contains(t, dead[0].SK, "#m-gone#removed-route")
	assert.Contains(t, dead[0].Failure, `no publisher for destination "removed-route"`)
	assert.Contains(t, dead[0].Failure, "15m0s")
}

// A failure the inner transport marks sourceflow.Permanent, from Publisher
// or from Publish, keeps even a young message as a dead letter at once.
func TestOutboxSweepDeadLettersAPermanentPublisherFailureAtOnce(t *testing.T) {
	refused := sourceflow.Permanent(errors.New("destination refused for good"))
	for name, inner := range map[string]cqrs.Transport{
		"Publisher": routelessTransport{&recordingTransport{}, map[string]error{"events": refused}},
		"Publish":   &recordingTransport{publish: func(*message.Message) error { return refused }},
	} {
		t.Run(name, func(t *testing.T) {
			written := time.Now()
			f := &fakeDynamo{answer: func(op, body string) (int, string) {
				if op == "Query" {
					return shardItemsWritten(body, graceItem{"m-1", "events", written})
				}
				return 0, ""
			}}
			_, o := fakeOutbox(t, f, inner)

			_, err := o.Sweep(context.Background())
			require.NoError(t, err)
			require.Len(t, updates(t, f), 1, "the claim")
			dead := deadLetterings(t, f)
			require.Len(t, dead, 1, "then the dead-lettering")
			assert.Contains(t, dead[0].Failure, "destination refused for good")
		})
	}
}
