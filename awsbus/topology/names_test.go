package topology_test

import (
	"strings"
	"testing"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateQueueName(t *testing.T) {
	tests := []struct {
		name    string
		queue   string
		wantErr string
	}{
		{name: "standard", queue: "orders"},
		{name: "fifo", queue: "orders.fifo"},
		{name: "charset", queue: "Orders_v2-eu"},
		{name: "80 chars", queue: strings.Repeat("q", 80)},
		{name: "80 chars with fifo", queue: strings.Repeat("q", 75) + ".fifo"},
		{name: "empty", queue: "", wantErr: "empty"},
		{name: "81 chars", queue: strings.Repeat("q", 81), wantErr: "81 characters"},
		{name: "fifo counts toward 80", queue: strings.Repeat("q", 76) + ".fifo", wantErr: "81 characters"},
		{name: "only suffix", queue: ".fifo", wantErr: "nothing before"},
		{name: "dot", queue: "orders.v2", wantErr: "invalid character '.'"},
		{name: "space", queue: "my queue", wantErr: "invalid character ' '"},
		{name: "upper-case suffix is not fifo", queue: "orders.FIFO", wantErr: "invalid character"},
		{name: "url", queue: "https://sqs/1/q", wantErr: "invalid character ':'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := topology.ValidateQueueName(tt.queue)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, topology.ErrInvalidName)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestValidateTopicName(t *testing.T) {
	tests := []struct {
		name    string
		topic   string
		wantErr bool
	}{
		{name: "standard", topic: "order-events"},
		{name: "fifo", topic: "order-events.fifo"},
		{name: "256 chars", topic: strings.Repeat("t", 256)},
		{name: "257 chars", topic: strings.Repeat("t", 257), wantErr: true},
		{name: "empty", topic: "", wantErr: true},
		{name: "arn", topic: "arn:aws:sns:us-east-1:1:t", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := topology.ValidateTopicName(tt.topic)
			if tt.wantErr {
				require.ErrorIs(t, err, topology.ErrInvalidName)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestDerivedNames(t *testing.T) {
	assert.Equal(t, "orders-dlq", topology.DLQName("orders"))
	assert.Equal(t, "orders-dlq.fifo", topology.DLQName("orders.fifo"))
	assert.Equal(t, "billing-order-events",
		topology.DefaultEventQueueName(topology.EventQueueNameParams{Service: "billing", Topic: "order-events"}))
	assert.Equal(t, "billing-order-events.fifo",
		topology.DefaultEventQueueName(topology.EventQueueNameParams{Service: "billing", Topic: "order-events.fifo"}))
	assert.True(t, topology.IsFIFO("a.fifo"))
	assert.False(t, topology.IsFIFO("a-fifo"))
}
