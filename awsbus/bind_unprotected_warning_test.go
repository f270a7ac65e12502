package awsbus_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// unprotectedWarnings returns the lines of logs that warn that message
// bodies are neither encrypted nor authenticated.
func unprotectedWarnings(logs *watermill.CaptureLoggerAdapter) []watermill.CapturedMessage {
	var found []watermill.CapturedMessage
	for _, m := range logs.Captured()[watermill.InfoLogLevel] {
		if strings.Contains(m.Msg, "neither encrypted nor authenticated") {
			found = append(found, m)
		}
	}
	return found
}

// keyedTransport is a transport with KMS key alias/orders that logs to
// the returned capture logger.
func keyedTransport(t *testing.T) (*awsbus.Transport, *watermill.CaptureLoggerAdapter) {
	t.Helper()
	logs := watermill.NewCaptureLogger()
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{KMSKeyID: "alias/orders", Logger: logs})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr, logs
}

// A keyed transport bound without NewEncryption warns once, naming the
// key, the service and its destinations, what the omission allows and the
// remedy.
func TestBind_WarnsOfAKeyWithoutNewEncryption(t *testing.T) {
	tr, logs := keyedTransport(t)

	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))

	warnings := unprotectedWarnings(logs)
	require.Len(t, warnings, 1, "%v", logs.Captured())
	assert.Equal(t, watermill.LogFields{
		"service": "orders", "kms_key": "alias/orders", "destinations": "order-events, orders.fifo, payment-events",
	}, warnings[0].Fields)
	for _, want := range []string{
		"encrypts the queues and topics at rest",
		"anyone allowed sqs:SendMessage or sns:Publish on the service's destinations can send it commands and events",
		"call awsbus.NewEncryption", "encryption.Use",
		"a service meant to rely on encryption at rest alone may ignore this",
	} {
		assert.Contains(t, warnings[0].Msg, want)
	}
}

// A Bind that failed and is retried warns once, when it succeeds.
func TestBind_WarnsOfAKeyWithoutNewEncryptionOncePerTransport(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{KMSKeyID: "alias/orders", Logger: logs})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	sq.FailNext("CreateQueue", 1, assert.AnError)

	require.Error(t, tr.Bind(context.Background(), ordersBinding()))
	assert.Empty(t, unprotectedWarnings(logs), "a failed Bind does not warn")
	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	require.ErrorIs(t, tr.Bind(context.Background(), ordersBinding()), awsbus.ErrAlreadyBound)

	assert.Len(t, unprotectedWarnings(logs), 1, "%v", logs.Captured())
}

func TestBind_DoesNotWarnOnceNewEncryptionRan(t *testing.T) {
	k := encryptiontest.New()
	k.SetAlias("alias/orders", k.CreateKey())
	tr, logs := keyedTransport(t)
	_, err := awsbus.NewEncryption(k, tr, awsbus.EncryptionConfig{})
	require.NoError(t, err)

	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))

	assert.Empty(t, unprotectedWarnings(logs), "%v", logs.Captured())
}

// Without a key there is nothing to warn of: SQS-managed encryption at
// rest is all the transport promises.
func TestBind_DoesNotWarnWithoutAKey(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{Logger: logs})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })

	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))

	assert.Empty(t, unprotectedWarnings(logs), "%v", logs.Captured())
}

// With Config.Logger unset (whose default drops every line), the warning
// goes to slog.Default() at slog's Warn, so it is seen without set-up. It
// swaps the process's default logger: it must not run in parallel.
func TestBind_WarnsThroughSlogDefaultWithoutALogger(t *testing.T) {
	var buf bytes.Buffer
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(previous) })
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{KMSKeyID: "alias/orders"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })

	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))

	assert.Equal(t, 1, strings.Count(buf.String(), "neither encrypted nor authenticated"), buf.String())
	assert.Contains(t, buf.String(), "level=WARN")
	assert.Contains(t, buf.String(), "kms_key=alias/orders")
}
