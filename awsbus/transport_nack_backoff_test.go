package awsbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A negative NackBackoff set on a Transport redelivers a nacked message at
// once, as it does on a Subscriber of its own: the subscriber the
// transport builds from its already defaulted configuration keeps it
// instead of taking the 1s default.
func TestTransport_NegativeNackBackoffRedeliversAtOnce(t *testing.T) {
	sq, sn := newFakes()
	rec := newRecordingSQS(sq)
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: rec, SNS: sn}, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{
		NackBackoff: -time.Second, WaitTime: time.Second, ShutdownTimeout: time.Second,
	}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	pub, err := tr.Publisher("orders.fifo")
	require.NoError(t, err)
	require.NoError(t, pub.Publish("orders.fifo", command("1", "g")))
	sub, err := tr.Subscriber("orders.fifo")
	require.NoError(t, err)
	ch, err := sub.Subscribe(context.Background(), "orders.fifo")
	require.NoError(t, err)

	next(t, ch).Nack()

	var changes []visChange
	require.Eventually(t, func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		changes = append(changes[:0], rec.changes...)
		return len(changes) > 0
	}, waitFor, tick)
	assert.Equal(t, int32(0), changes[0].timeout, "the nacked message is visible again at once")
}

// A NackBackoff so long that rounding it up to whole seconds overflows is
// refused, not taken for a negative one that redelivers at once.
func TestConsumerConfig_ValidateRefusesANackBackoffThatOverflowsRounding(t *testing.T) {
	longest := time.Duration(1<<63 - 1)
	err := awsbus.ConsumerConfig{NackBackoff: longest}.Validate()
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
	assert.Equal(t, "awsbus: invalid configuration: NackBackoff: "+longest.String()+
		", must be at most 12h0m0s (a negative value redelivers at once)", err.Error())
	err = awsbus.ConsumerConfig{WaitTime: longest}.Validate()
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
	assert.Equal(t, "awsbus: invalid configuration: WaitTime: "+longest.String()+", must be 1s..20s", err.Error())
}
