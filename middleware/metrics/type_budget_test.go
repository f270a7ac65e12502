package metrics_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

func refuseForGood(*message.Message) ([]*message.Message, error) {
	return nil, sourceflow.Permanent(errors.New("unknown type"))
}

// processed returns the count of NameMessageProcessed for typ on the
// default destination with outcome (error: a permanent one).
func processed(got collected, typ, outcome string) int64 {
	kv := []string{"sourceflow.type", typ, "messaging.destination.name", "", "sourceflow.outcome", outcome}
	if outcome == "error" {
		kv = append(kv, "error.type", "permanent")
	}
	n, _ := got.sum(metrics.NameMessageProcessed, attrs(kv...))
	return n
}

// 128 junk types, each refused for good, reach a destination first: the
// destination's real types still get series of their own, from the
// message after their first success, and the junk never does beyond the
// trial slots.
func TestJunkTypesRefusedForGoodLeaveRealTypesTheirSeries(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	for i := range 128 {
		_, _ = m.Middleware(refuseForGood)(typed(fmt.Sprintf("junk.T%d", i)))
	}
	for i := range 100 {
		for range 2 {
			_, err := m.Middleware(okHandler)(typed(fmt.Sprintf("orders.T%d", i)))
			require.NoError(t, err)
		}
	}

	got := collect(t, reader)
	for i := range 100 {
		assert.Equal(t, int64(1), processed(got, fmt.Sprintf("orders.T%d", i), "success"),
			"orders.T%d's second message has a series of its own", i)
	}
	assert.Equal(t, int64(100), processed(got, metrics.OtherType, "success"), "each real type's first message is other")
	junkSeries := 0
	for i := range 128 {
		if processed(got, fmt.Sprintf("junk.T%d", i), "error") > 0 {
			junkSeries++
		}
	}
	assert.Equal(t, 32, junkSeries, "junk types fill the trial slots only")
	assert.Equal(t, int64(96), processed(got, metrics.OtherType, "error"))
}

// A type seen while trial slots are free has series of its own from its
// first message, failures included; its success admits it for good and
// frees its trial slot for the next new type.
func TestATypeOnTrialIsRecordedAsItselfAndKeptAfterItsFirstSuccess(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	fail := func(*message.Message) ([]*message.Message, error) { return nil, errors.New("database unavailable") }
	for i := range 32 { // every trial slot of the destination
		typ := fmt.Sprintf("orders.T%d", i)
		_, err := m.Middleware(fail)(typed(typ))
		require.Error(t, err)
		_, err = m.Middleware(okHandler)(typed(typ))
		require.NoError(t, err)
	}
	_, err := m.Middleware(fail)(typed("orders.Late"))
	require.Error(t, err)

	got := collect(t, reader)
	for _, typ := range []string{"orders.T0", "orders.T31", "orders.Late"} {
		n, _ := got.sum(metrics.NameMessageProcessed, attrs("sourceflow.type", typ,
			"messaging.destination.name", "", "sourceflow.outcome", "error", "error.type", "transient"))
		assert.Equal(t, int64(1), n, "%s's failure is recorded as itself", typ)
	}
	assert.Equal(t, int64(1), processed(got, "orders.T31", "success"))
}
