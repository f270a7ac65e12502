package awsbus_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

func TestTransport_FileRoundTripsToThePlanItBinds(t *testing.T) {
	sq, sn := newFakes()
	cfg := awsbus.Config{
		ConsumerConfig:  awsbus.ConsumerConfig{WaitTime: 3 * time.Second, VisibilityTimeout: 45 * time.Second},
		MaxReceiveCount: 4, KMSKeyID: "alias/orders",
	}
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })

	file, err := tr.File(ordersBinding())
	require.NoError(t, err)
	assert.Zero(t, sq.TotalCalls()+sn.TotalCalls(), "File makes no AWS call")
	var text bytes.Buffer
	require.NoError(t, file.Encode(&text))
	assert.Contains(t, text.String(), "kms_key_id: alias/orders")
	assert.Contains(t, text.String(), "max_receive_count: 4")

	back, err := topology.DecodeFile(&text)
	require.NoError(t, err)
	fromFile, err := back.Plan()
	require.NoError(t, err)

	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	assert.Equal(t, tr.Plan(), fromFile, "the file describes exactly what the transport binds")
}
