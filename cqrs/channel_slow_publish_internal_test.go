package cqrs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// slowPublishWarnings returns, as "destination message_id", what logs
// holds about synchronous publishes that waited long.
func slowPublishWarnings(logs *watermill.CaptureLoggerAdapter) []string {
	var got []string
	for _, c := range logs.Captured()[watermill.ErrorLogLevel] {
		if strings.Contains(c.Msg, "synchronous publish still waits") {
			got = append(got, c.Fields["destination"].(string)+" "+c.Fields["message_id"].(string))
		}
	}
	return got
}

// consume acks each message of dest after handle returned, until the
// subscription ends.
func consume(t *testing.T, tr *ChannelTransport, dest string, handle func(*message.Message)) message.Subscriber {
	t.Helper()
	sub, err := tr.Subscriber(dest)
	require.NoError(t, err)
	msgs, err := sub.Subscribe(context.Background(), dest)
	require.NoError(t, err)
	go func() {
		for m := range msgs {
			handle(m)
			m.Ack()
		}
	}()
	return sub
}

// loggedTransport returns a ChannelTransport logging to logs, with a
// command route to "a" and the route given bound, and a publisher on it.
func loggedTransport(t *testing.T, logs watermill.LoggerAdapter, other sourceflow.Route) (*ChannelTransport, message.Publisher) {
	t.Helper()
	tr, err := NewChannelTransport(ChannelConfig{Logger: logs})
	require.NoError(t, err)
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "svc", Routes: []sourceflow.Route{
		{Type: "svc.A", Kind: sourceflow.KindCommand, Destination: "a"}, other,
	}}))
	pub, err := tr.Publisher("a")
	require.NoError(t, err)
	return tr, pub
}

// A handler of "a" holds a lock and publishes to "b" with
// context.Background() instead of its own context, so the synchronous
// publish cannot know it waits on that handler, and the handler of "b"
// waits for the lock. Each waiting publish says so once through the
// Logger, naming its destination and message, and keeps waiting.
func TestChannelSyncPublishWaitingLongWarnsOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := watermill.NewCaptureLogger()
		tr, pub := loggedTransport(t, logs, sourceflow.Route{Type: "svc.B", Kind: sourceflow.KindCommand, Destination: "b"})
		lock, giveUp := make(chan struct{}, 1), make(chan struct{})
		subB := consume(t, tr, "b", func(*message.Message) {
			select {
			case lock <- struct{}{}:
				<-lock
			case <-giveUp:
			}
		})
		subA := consume(t, tr, "a", func(*message.Message) {
			lock <- struct{}{}
			defer func() { <-lock }()
			assert.NoError(t, pub.Publish("b", message.NewMessage("m-b", nil))) // not the handler's context
		})
		sent := make(chan error, 1)
		go func() { sent <- pub.Publish("a", message.NewMessage("m-a", nil)) }()

		time.Sleep(slowSyncPublish - time.Second)
		synctest.Wait()
		assert.Empty(t, slowPublishWarnings(logs), "a warning before the publish waited long")
		time.Sleep(time.Second)
		synctest.Wait()
		assert.ElementsMatch(t, []string{"a m-a", "b m-b"}, slowPublishWarnings(logs))
		time.Sleep(10 * slowSyncPublish)
		synctest.Wait()
		assert.ElementsMatch(t, []string{"a m-a", "b m-b"}, slowPublishWarnings(logs), "a publish warned more than once")
		require.Empty(t, sent, "the publish stopped waiting")

		close(giveUp)
		require.NoError(t, <-sent)
		require.NoError(t, subA.Close())
		require.NoError(t, subB.Close())
		require.NoError(t, tr.Close())
	})
}

// A synchronous publish that returned, handled or failed, never warns
// later: its wait ended before slowSyncPublish.
func TestChannelSyncPublishReturnedNeverWarns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := watermill.NewCaptureLogger()
		tr, pub := loggedTransport(t, logs, sourceflow.Route{Type: "svc.E", Kind: sourceflow.KindEvent, Destination: "e"})
		sub := consume(t, tr, "a", func(*message.Message) {})
		require.NoError(t, pub.Publish("a", message.NewMessage("m-a", nil)))
		require.NoError(t, sub.Close())
		require.NoError(t, tr.Close())
		require.ErrorIs(t, pub.Publish("e", message.NewMessage("m-e", nil)), errChannelClosed)

		time.Sleep(2 * slowSyncPublish)
		synctest.Wait()
		assert.Empty(t, slowPublishWarnings(logs), "a publish that returned warned")
	})
}

// The warning names the waiting messages' UUIDs as sourceflow.IDText shows
// them: a handler may publish again a message it received, whose UUID its
// sender chose, oversize or holding characters a terminal or a log line
// acts on.
func TestChannelSlowPublishWarningBoundsTheUUIDs(t *testing.T) {
	for uuid, want := range map[string]string{
		strings.Repeat("u", 200_000): strings.Repeat("u", 256) + "…(200000 bytes)",
		"m-1\nlevel=INFO msg=forged": `m-1\nlevel=INFO msg=forged`,
		"m-1\x1b]0;owned\a":          `m-1\x1b]0;owned\a`,
	} {
		logs := watermill.NewCaptureLogger()
		tr, err := NewChannelTransport(ChannelConfig{Logger: logs})
		require.NoError(t, err)

		tr.warnSlowPublish("a", []*message.Message{message.NewMessage(uuid, nil), message.NewMessage("m-2", nil)})

		assert.Equal(t, []string{"a " + want + ",m-2"}, slowPublishWarnings(logs), "%.20q", uuid)
		require.NoError(t, tr.Close())
	}
}

// The warning of a publish of many messages counts them all but names the
// UUIDs of the first ten only.
func TestChannelSlowPublishWarningCapsTheUUIDs(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	tr, err := NewChannelTransport(ChannelConfig{Logger: logs})
	require.NoError(t, err)
	msgs := make([]*message.Message, 1_000)
	for i := range msgs {
		msgs[i] = message.NewMessage(fmt.Sprintf("m-%d", i), nil)
	}

	tr.warnSlowPublish("a", msgs)

	assert.Equal(t, []string{"a m-0,m-1,m-2,m-3,m-4,m-5,m-6,m-7,m-8,m-9 and 990 more"}, slowPublishWarnings(logs))
	lines := logs.Captured()[watermill.ErrorLogLevel]
	require.Len(t, lines, 1)
	assert.Equal(t, 1_000, lines[0].Fields["messages"])
	require.NoError(t, tr.Close())
}
