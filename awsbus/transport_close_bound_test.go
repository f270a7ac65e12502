package awsbus_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// CloseBound names the field bounding how long closing the subscriptions
// waits for handed-out messages, with its value, the default included.
func TestTransport_CloseBoundNamesShutdownTimeout(t *testing.T) {
	for _, tc := range []struct {
		set, want time.Duration
	}{{set: 0, want: awsbus.DefaultShutdownTimeout}, {set: 7 * time.Second, want: 7 * time.Second}} {
		sq, sn := newFakes()
		tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{ShutdownTimeout: tc.set}})
		require.NoError(t, err)
		field, bound := tr.CloseBound()
		assert.Equal(t, "awsbus.Config.ShutdownTimeout", field)
		assert.Equal(t, tc.want, bound)
	}
}
