package awsbus_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

const secret = "card-4111-1111-1111-1111"

// encrypted is a bound orders Transport with a KMSKeyID, its SQS fake,
// the fake KMS and the Encryption wired from the transport.
type encrypted struct {
	tr  *awsbus.Transport
	sqs *awsbustest.SQS
	kms *encryptiontest.KMS
	key string
	enc *awsbus.Encryption
}

func newEncrypted(t *testing.T) *encrypted {
	t.Helper()
	k := encryptiontest.New()
	key := k.CreateKey()
	k.SetAlias("alias/orders", key)
	tr, sq := fakeTransport(t, awsbus.Config{KMSKeyID: "alias/orders"})
	enc, err := awsbus.NewEncryption(k, tr, awsbus.EncryptionConfig{})
	require.NoError(t, err)
	return &encrypted{tr: tr, sqs: sq, kms: k, key: key, enc: enc}
}

// publish sends msg to destination through the transport's publisher,
// encrypted when encrypt is set.
func (e *encrypted) publish(t *testing.T, destination string, encrypt bool, msg *message.Message) error {
	t.Helper()
	pub, err := e.tr.Publisher(destination)
	require.NoError(t, err)
	if encrypt {
		pub, err = e.enc.Encrypter.DecoratePublisher(pub)
		require.NoError(t, err)
	}
	return pub.Publish(destination, msg)
}

// markPermanent records a permanent failure on the nacked message, as the
// cqrs Service's outermost router middleware does.
func markPermanent(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if sourceflow.IsPermanent(err) {
			msg.Metadata.Set(sourceflow.MetaFailure, err.Error())
		}
		return out, err
	}
}

// route runs a router on the transport's subscriber for orders.fifo with
// the Decrypter in its stack and returns the payloads its handler sees.
func (e *encrypted) route(t *testing.T) *recorded {
	t.Helper()
	sub, err := e.tr.Subscriber("orders.fifo")
	require.NoError(t, err)
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: time.Second}, watermill.NopLogger{})
	require.NoError(t, err)
	r.AddMiddleware(markPermanent, e.enc.Decrypter.Middleware)
	rec := &recorded{}
	r.AddConsumerHandler("orders", "orders.fifo", sub, func(msg *message.Message) error {
		rec.add(string(msg.Payload))
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		assert.NoError(t, r.Run(ctx))
	}()
	t.Cleanup(func() { cancel(); <-done })
	<-r.Running()
	return rec
}

type recorded struct {
	mu       sync.Mutex
	payloads []string
}

func (r *recorded) add(p string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.payloads = append(r.payloads, p)
}

func (r *recorded) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.payloads...)
}

func TestEncryptionRoundTripThroughRouter(t *testing.T) {
	e := newEncrypted(t)
	plain := `{"card":"` + secret + `"}`
	msg := command("c1", "order-1")
	msg.Payload = []byte(plain)
	require.NoError(t, e.publish(t, "orders.fifo", true, msg))

	onQueue := e.sqs.Messages(e.sqs.QueueURL("orders.fifo"))
	require.Len(t, onQueue, 1)
	assert.NotContains(t, onQueue[0].Body, secret, "no plaintext on the wire")
	assert.NotContains(t, onQueue[0].Body, "card")
	assert.True(t, hasEncryptionHeader(onQueue[0]), "the header travels with the message: %v", onQueue[0].Attributes)

	rec := e.route(t)
	require.Eventually(t, func() bool { return len(rec.get()) == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, []string{plain}, rec.get(), "the handler sees the plaintext")
	require.Eventually(t, func() bool { return len(e.sqs.Messages(e.sqs.QueueURL("orders.fifo"))) == 0 },
		5*time.Second, 10*time.Millisecond, "deleted after the ack")
	assert.Equal(t, 1, e.kms.Calls().GenerateDataKey)
	assert.Equal(t, 1, e.kms.Calls().Decrypt)
}

func hasEncryptionHeader(m awsbustest.Message) bool {
	if m.Attributes[sourceflow.MetaEncryption] != "" {
		return true
	}
	return strings.Contains(m.Attributes[sourceflow.MetaEnvelope], `"`+sourceflow.MetaEncryption+`"`)
}

func TestEncryptionPlaintextIsDeadLettered(t *testing.T) {
	e := newEncrypted(t)
	bad := command("plain", "order-1")
	bad.Payload = []byte(`{"card":"` + secret + `"}`)
	require.NoError(t, e.publish(t, "orders.fifo", false, bad))
	good := command("good", "order-2")
	require.NoError(t, e.publish(t, "orders.fifo", true, good))

	rec := e.route(t)
	dlq := e.sqs.QueueURL("orders-dlq.fifo")
	require.Eventually(t, func() bool { return len(e.sqs.Messages(dlq)) == 1 }, 5*time.Second, 10*time.Millisecond)
	dead := e.sqs.Messages(dlq)[0]
	assert.Contains(t, dead.Attributes[sourceflow.MetaFailure], encryption.ErrNotEncrypted.Error())
	assert.Contains(t, dead.Attributes[sourceflow.MetaFailure], "not encrypted",
		"dead-lettered by the subscriber as permanent, not moved by the redrive policy")
	require.Eventually(t, func() bool { return len(rec.get()) == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, []string{`{"id":"good"}`}, rec.get(), "the plaintext never reaches the handler; the other message does")
	require.Eventually(t, func() bool { return len(e.sqs.Messages(e.sqs.QueueURL("orders.fifo"))) == 0 },
		5*time.Second, 10*time.Millisecond)
}

// A message encrypted under another key than Config.KMSKeyID, which the
// consumer's KMS access would decrypt, is dead-lettered with the reason;
// the message under the service's key is handled.
func TestEncryptionRefusesADataKeyOfAnotherKey(t *testing.T) {
	e := newEncrypted(t)
	other, err := encryption.NewEncrypter(e.kms, encryption.EncrypterConfig{KeyID: e.kms.CreateKey()})
	require.NoError(t, err)
	forged, err := other.Encrypt(context.Background(), "orders.fifo", command("forged", "order-1"))
	require.NoError(t, err)
	require.NoError(t, e.publish(t, "orders.fifo", false, forged))
	require.NoError(t, e.publish(t, "orders.fifo", true, command("good", "order-2")))

	rec := e.route(t)
	dlq := e.sqs.QueueURL("orders-dlq.fifo")
	require.Eventually(t, func() bool { return len(e.sqs.Messages(dlq)) == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, e.sqs.Messages(dlq)[0].Attributes[sourceflow.MetaFailure], encryption.ErrKeyNotAllowed.Error())
	require.Eventually(t, func() bool { return len(rec.get()) == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, []string{`{"id":"good"}`}, rec.get())
}

func TestNewEncryptionDisabled(t *testing.T) {
	tr, _ := fakeTransport(t, awsbus.Config{})
	enc, err := awsbus.NewEncryption(encryptiontest.New(), tr, awsbus.EncryptionConfig{})
	require.ErrorIs(t, err, awsbus.ErrEncryptionDisabled)
	assert.Nil(t, enc)
	for _, c := range tr.Health(context.Background()).Checks {
		assert.NotEqual(t, "kms", c.Name, "no KMS entry without encryption")
	}
}

func TestNewEncryptionInvalidConfig(t *testing.T) {
	k := encryptiontest.New()
	tr, _ := fakeTransport(t, awsbus.Config{KMSKeyID: "alias/orders"})
	tests := []struct {
		name  string
		kms   encryption.KMSAPI
		tr    *awsbus.Transport
		cfg   awsbus.EncryptionConfig
		field string
	}{
		{name: "no KMS", tr: tr, field: "KMS client"},
		{name: "no transport", kms: k, field: "Transport"},
		{name: "other key", kms: k, tr: tr, cfg: awsbus.EncryptionConfig{Encrypter: encryption.EncrypterConfig{KeyID: "alias/other"}},
			field: "Encrypter.KeyID"},
		{name: "encrypter app", kms: k, tr: tr, cfg: awsbus.EncryptionConfig{AppName: "shop", Encrypter: encryption.EncrypterConfig{AppName: "orders"}},
			field: "Encrypter.AppName"},
		{name: "decrypter app", kms: k, tr: tr, cfg: awsbus.EncryptionConfig{Decrypter: encryption.DecrypterConfig{AppName: "orders"}},
			field: "Decrypter.AppName"},
		{name: "encrypter option", kms: k, tr: tr, cfg: awsbus.EncryptionConfig{Encrypter: encryption.EncrypterConfig{DataKeyMaxMessages: -1}},
			field: "DataKeyMaxMessages"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := awsbus.NewEncryption(tc.kms, tc.tr, tc.cfg)
			require.Error(t, err)
			assert.Nil(t, enc)
			assert.ErrorContains(t, err, tc.field)
		})
	}
}

func kmsHealth(t *testing.T, tr *awsbus.Transport) topology.HealthCheck {
	t.Helper()
	for _, c := range tr.Health(context.Background()).Checks {
		if c.Name == "kms" {
			return c
		}
	}
	t.Fatal("no kms entry in the health report")
	return topology.HealthCheck{}
}

func TestEncryptionHealthReportsKMS(t *testing.T) {
	e := newEncrypted(t)
	assert.Equal(t, topology.HealthUp, kmsHealth(t, e.tr).Status)
	e.kms.SetDisabled(e.key, true)
	c := kmsHealth(t, e.tr)
	assert.Equal(t, topology.HealthDown, c.Status)
	assert.Contains(t, c.Error, "encryption health check")
	assert.Contains(t, c.Error, "Disabled", "the report names the key's state")
	assert.Equal(t, topology.HealthDown, e.tr.Health(context.Background()).Status)
}

// A second NewEncryption on the same transport leaves the health report
// on the first Encrypter's check.
func TestEncryptionHealthKeepsTheFirstEncryptersCheck(t *testing.T) {
	e := newEncrypted(t)
	other := encryptiontest.New()
	otherKey := other.CreateKey()
	other.SetAlias("alias/orders", otherKey)
	other.SetDisabled(otherKey, true)
	_, err := awsbus.NewEncryption(other, e.tr, awsbus.EncryptionConfig{})
	require.NoError(t, err)

	assert.Equal(t, topology.HealthUp, kmsHealth(t, e.tr).Status)
	assert.Zero(t, other.Calls().DescribeKey, "the second encrypter's KMS is not asked")
}

// A transport with a KMSKeyID composes its Encrypter and Decrypter;
// the service places them in its produce and consume stacks.
func ExampleNewEncryption() {
	kms := encryptiontest.New()
	kms.SetAlias("alias/orders", kms.CreateKey())
	sq := awsbustest.NewSQS(awsbustest.SQSConfig{})
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: awsbustest.NewSNS(sq, awsbustest.SNSConfig{})}, awsbus.Config{
		KMSKeyID: "alias/orders",
	})
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	b := sourceflow.Binding{Service: "orders", Listeners: []sourceflow.Listener{
		{Destination: "orders", Kind: sourceflow.KindCommand, Types: []string{"orders.CreateOrder"}},
	}}
	if err := tr.Bind(context.Background(), b); err != nil {
		panic(err)
	}
	enc, err := awsbus.NewEncryption(kms, tr, awsbus.EncryptionConfig{AppName: "shop"})
	if err != nil {
		panic(err)
	}
	pub, _ := tr.Publisher("orders")
	pub, _ = enc.Encrypter.DecoratePublisher(pub) // produce side, "Encrypt" phase
	// consume side: router.AddMiddleware(enc.Decrypter.Middleware), "Decrypt" phase

	msg := message.NewMessage("1", []byte(`{"card":"4111"}`))
	msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	if err := pub.Publish("orders", msg); err != nil {
		panic(err)
	}
	body := sq.Messages(sq.QueueURL("orders"))[0].Body
	fmt.Println("plaintext on the queue:", strings.Contains(body, "4111"))
	fmt.Println("kms health:", kmsStatus(tr))
	// Output:
	// plaintext on the queue: false
	// kms health: up
}

func kmsStatus(tr *awsbus.Transport) topology.HealthStatus {
	for _, c := range tr.Health(context.Background()).Checks {
		if c.Name == "kms" {
			return c.Status
		}
	}
	return ""
}
