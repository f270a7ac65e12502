package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// A row the forwarder dead-letters (its destination refused for good by
// the inner transport, flakyTransport's "nowhere") is logged at error
// level with its reason, like a dead letter of any transport, so that an
// operator sees it without reading the dead-letter table.
func TestDeadLetteredRowIsLoggedWithItsReason(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obx")
		d.dropOutbox(t, db, topic)
		logs := watermill.NewCaptureLogger()
		channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		var box *outbox.Transport
		newHarness(t, d, db, topic, &flakyTransport{ChannelTransport: channel}, func(b *outbox.Transport) {
			box = b
			outbox.SetLogger(b, logs)
		})
		d.insertRow(t, db, topic, "row-nowhere", `{"destination_topic":"nowhere","uuid":"m-1","payload":"e30=","metadata":{"sf_corr":"corr-1"}}`, `{}`)

		require.EventuallyWithT(t, func(c *assert.CollectT) {
			letters, _, err := outbox.DeadLetters(context.Background(), outbox.Config{DB: db, Dialect: d.dialect, Topic: topic}, outbox.DeadLetterQuery{Max: 1000})
			require.NoError(c, err)
			assert.Len(c, letters, 1)
		}, waitFor, 10*time.Millisecond, "the row is dead-lettered")

		var line *watermill.CapturedMessage
		require.Eventually(t, func() bool { // logged once the poll commits, just after the row is seen
			for _, m := range logs.Captured()[watermill.ErrorLogLevel] {
				if m.Fields["row_uuid"] == "row-nowhere" {
					line = &m
				}
			}
			return line != nil
		}, waitFor, 10*time.Millisecond, "the dead letter is logged at error level")
		assert.Contains(t, line.Msg, "dead letter")
		require.Error(t, line.Err)
		assert.Contains(t, line.Err.Error(), `no publisher for destination "nowhere"`, "the line says why")
		assert.Equal(t, topic, line.Fields["topic"])
		assert.Equal(t, "nowhere", line.Fields["destination"])
		assert.Equal(t, "m-1", line.Fields["message_id"])
		assert.Equal(t, "corr-1", line.Fields["correlation_id"])
		assert.Eventually(t, func() bool { return box.DeadLettersByDestination()["nowhere"] == 1 }, // counted just after it is logged
			waitFor, 10*time.Millisecond, "counted under its destination")
	})
}
