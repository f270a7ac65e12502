package awsbus_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

func TestEncryptionSizeLimitFollowsDestinationKind(t *testing.T) {
	big := strings.Repeat("x", 400<<10) // 400 KiB: about 534 KiB once encrypted
	e := newEncrypted(t)

	cmd := command("big", "order-1")
	cmd.Payload = []byte(`"` + big + `"`)
	require.NoError(t, e.publish(t, "orders.fifo", true, cmd), "a command may use the SQS limit")
	require.Len(t, e.sqs.Messages(e.sqs.QueueURL("orders.fifo")), 1)

	evt := message.NewMessage("evt", []byte(`"`+big+`"`))
	evt.Metadata.Set(sourceflow.MetaType, "orders.OrderCreated")
	err := e.publish(t, "order-events", true, evt)
	var tooLarge *encryption.TooLargeError
	require.ErrorAs(t, err, &tooLarge)
	assert.Equal(t, encryption.SNSMaxMessageBytes, tooLarge.Limit)
	assert.True(t, sourceflow.IsPermanent(err))
}

func TestEncryptionSizeLimitByKindOfTheBinding(t *testing.T) {
	sq, sn := newFakes()
	k := encryptiontest.New()
	k.SetAlias("alias/orders", k.CreateKey())
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{
		KMSKeyID: "alias/orders",
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{
		Service: "orders",
		Routes: []sourceflow.Route{
			{Type: "orders.CreateOrder", Kind: sourceflow.KindCommand, Destination: "orders"},
			{Type: "orders.OrderCreated", Kind: sourceflow.KindEvent, Destination: "order-events"},
		},
		Listeners: []sourceflow.Listener{
			{Destination: "inbox", Kind: sourceflow.KindCommand, Types: []string{"orders.Inbox"}},
			{Destination: "payment-events", Kind: sourceflow.KindEvent, Types: []string{"payments.PaymentTaken"}},
		},
	}))
	enc, err := awsbus.NewEncryption(k, tr, awsbus.EncryptionConfig{})
	require.NoError(t, err)
	payload := []byte(`"` + strings.Repeat("x", 400<<10) + `"`)
	tests := []struct {
		destination string
		limit       int // 0: fits
	}{
		{"orders", 0},
		{"inbox", 0},
		{"order-events", encryption.SNSMaxMessageBytes},
		{"payment-events", encryption.SNSMaxMessageBytes},
		{"unknown", encryption.DefaultMaxMessageBytes},
	}
	for _, tc := range tests {
		t.Run(tc.destination, func(t *testing.T) {
			msg := message.NewMessage("m", payload)
			msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
			_, err := enc.Encrypter.Encrypt(context.Background(), tc.destination, msg)
			if tc.limit == 0 {
				require.NoError(t, err)
				return
			}
			var tooLarge *encryption.TooLargeError
			require.ErrorAs(t, err, &tooLarge)
			assert.Equal(t, tc.limit, tooLarge.Limit)
		})
	}
}
