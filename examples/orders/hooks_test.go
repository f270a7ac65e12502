package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

func typed(typ string) *message.Message {
	msg := message.NewMessage(watermill.NewUUID(), nil)
	msg.Metadata.Set(sourceflow.MetaType, typ)
	return msg
}

func TestTrackCountsHandlersAndThoseCutOff(t *testing.T) {
	var c handlerCounts
	fail := errors.New("boom")
	h := c.track(func(msg *message.Message) ([]*message.Message, error) {
		if msg.Metadata.Get("fail") != "" {
			return nil, fail
		}
		return nil, nil
	})
	_, err := h(typed("x"))
	require.NoError(t, err)
	failing := typed("x")
	failing.Metadata.Set("fail", "1")
	_, err = h(failing) // fails with its context live: not cut
	require.ErrorIs(t, err, fail)
	cut := typed("x")
	cut.Metadata.Set("fail", "1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cut.SetContext(ctx)
	_, err = h(cut)
	require.ErrorIs(t, err, fail)
	assert.Equal(t, [3]int64{3, 3, 1}, [3]int64{c.started.Load(), c.finished.Load(), c.cut.Load()})
}

func TestSlowDelaysEveryNthHandlingOfItsType(t *testing.T) {
	var ran int
	h := slow("a", 2, time.Hour)(func(*message.Message) ([]*message.Message, error) { ran++; return nil, nil })
	_, err := h(typed("a")) // first: not slow
	require.NoError(t, err)
	_, err = h(typed("b")) // another type: never slow, not counted
	require.NoError(t, err)
	second := typed("a")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	second.SetContext(ctx)
	_, err = h(second) // second of "a": waits, and gives up with its context
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 2, ran, "the slow handling ends without running the handler")

	same := slow("a", 0, time.Hour)(func(*message.Message) ([]*message.Message, error) { return nil, nil })
	_, err = same(typed("a"))
	assert.NoError(t, err, "n = 0 leaves the handler as it is")
}

func TestPacerSpacesSendsAndStopsWithItsContext(t *testing.T) {
	assert.True(t, newPacer(0).wait(context.Background()), "no rate: no wait")
	p := newPacer(1000)
	defer p.stop()
	assert.True(t, p.wait(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	slowPace := newPacer(0.001)
	defer slowPace.stop()
	assert.False(t, slowPace.wait(ctx), "a pacer gives up when its context ends")
}
