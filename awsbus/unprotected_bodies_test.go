package awsbus_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A key without NewEncryption encrypts the queues at rest only: the KMS
// check says that bodies are neither encrypted nor authenticated, and the
// report is degraded, not down (the transport works, and encryption at
// rest alone may be meant), so HealthHandler still answers 200.
func TestTransport_HealthIsDegradedWithAKeyButNoEncryption(t *testing.T) {
	tr, _, _ := healthTransport(t, awsbus.Config{KMSKeyID: "alias/sf"})

	rep := tr.Health(context.Background())

	kms := checksByName(rep)["kms"]
	assert.Equal(t, topology.HealthDegraded, kms.Status)
	assert.Contains(t, kms.Error, "NewEncryption was not called")
	assert.Contains(t, kms.Error, "message bodies are neither encrypted nor authenticated")
	assert.Equal(t, topology.HealthDegraded, rep.Status)

	srv := httptest.NewServer(awsbus.HealthHandler(tr))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestTransport_HealthKMSIsUpOnceNewEncryptionRan(t *testing.T) {
	k := encryptiontest.New()
	k.SetAlias("alias/sf", k.CreateKey())
	tr, _, _ := healthTransport(t, awsbus.Config{KMSKeyID: "alias/sf"})
	_, err := awsbus.NewEncryption(k, tr, awsbus.EncryptionConfig{})
	require.NoError(t, err)

	rep := tr.Health(context.Background())

	assert.Equal(t, topology.HealthUp, checksByName(rep)["kms"].Status, "%+v", checksByName(rep)["kms"])
	assert.Equal(t, topology.HealthUp, rep.Status)
}

// A check that is down outweighs the degraded KMS check.
func TestTransport_HealthDownOutweighsAKeyWithoutEncryption(t *testing.T) {
	tr, sq, _ := healthTransport(t, awsbus.Config{KMSKeyID: "alias/sf"})
	sq.FailNext("GetQueueAttributes", 1, assert.AnError)

	rep := tr.Health(context.Background())

	assert.Equal(t, topology.HealthDegraded, checksByName(rep)["kms"].Status)
	assert.Equal(t, topology.HealthDown, rep.Status)
}

// shortPolls keeps a service's Close from waiting out a 20s long poll.
var shortPolls = awsbus.ConsumerConfig{WaitTime: time.Second, ShutdownTimeout: time.Second}

// startOrders starts an "orders" service on tr with pipeline's sides, and
// returns the warnings its Start logged that message bodies are
// unprotected.
func startOrders(t *testing.T, tr *awsbus.Transport, pipeline cqrs.ServiceConfig) []string {
	t.Helper()
	logs := watermill.NewCaptureLogger()
	pipeline.Name, pipeline.Transport, pipeline.Logger, pipeline.Listen = "orders", tr, logs, []string{"orders.fifo"}
	svc, err := cqrs.NewService(pipeline)
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	require.NoError(t, cqrs.RegisterCommand[restartOrder](svc, "orders.CreateOrder", "orders.fifo"))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[restartState](svc, "order"),
		func(context.Context, *restartState, restartOrder, cqrs.Envelope) ([]any, error) { return nil, nil }))
	require.NoError(t, svc.Start(context.Background()))
	var warnings []string
	for _, m := range logs.Captured()[watermill.InfoLogLevel] {
		if strings.Contains(m.Msg, "neither encrypted nor authenticated") {
			warnings = append(warnings, m.Msg)
		}
	}
	return warnings
}

// The Transport names its key to a cqrs.Service, which warns at Start of
// a pipeline that neither decrypts nor encrypts.
func TestService_OnAKeyedTransportWithoutEncryptionWarns(t *testing.T) {
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{KMSKeyID: "alias/orders", ConsumerConfig: shortPolls})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	assert.Equal(t, "alias/orders", tr.KMSKeyID())

	warnings := startOrders(t, tr, cqrs.ServiceConfig{})

	require.Len(t, warnings, 2, "one of the consume side, one of the produce side")
	assert.Contains(t, warnings[0], "ServiceConfig.HandlerMiddleware holds no encryption Decrypter")
	assert.Contains(t, warnings[1], "ServiceConfig.PublisherDecorators holds no encryption Encrypter")
}

func TestService_OnAKeyedTransportWithEncryptionDoesNotWarn(t *testing.T) {
	k := encryptiontest.New()
	k.SetAlias("alias/orders", k.CreateKey())
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{KMSKeyID: "alias/orders", ConsumerConfig: shortPolls})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	enc, err := awsbus.NewEncryption(k, tr, awsbus.EncryptionConfig{})
	require.NoError(t, err)

	warnings := startOrders(t, tr, cqrs.ServiceConfig{
		HandlerMiddleware:   []message.HandlerMiddleware{enc.Decrypter.Middleware},
		PublisherDecorators: []message.PublisherDecorator{enc.Encrypter.DecoratePublisher},
	})

	assert.Empty(t, warnings)
}

// Without a key there is nothing to warn of: SQS-managed encryption at
// rest is all the transport promises.
func TestService_OnATransportWithoutAKeyDoesNotWarn(t *testing.T) {
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{ConsumerConfig: shortPolls})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })

	assert.Empty(t, startOrders(t, tr, cqrs.ServiceConfig{}))
}
