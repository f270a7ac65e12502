//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

// Message types of the bad-input catalogue.
type (
	// BadPay is the command every catalogue listener handles.
	BadPay struct {
		Amount int    `json:"amount"`
		Note   string `json:"note,omitempty"`
	}
	// BadPaid is the event the event-queue listeners project.
	BadPaid struct {
		Amount int `json:"amount"`
	}
	// BadTotal is the state the listeners keep per entity.
	BadTotal struct {
		Amount int `json:"amount"`
		Count  int `json:"count"`
	}
)

const (
	badPayType  = "bad.Pay"
	badPaidType = "bad.Paid"
	hBad        = "bad-handler"
	// badPatience bounds the waits of a listener on a command queue.
	badPatience = 60 * time.Second
)

// badListener describes the listener a catalogue row runs.
type badListener struct {
	fifo       bool   // a .fifo command queue
	event      bool   // an event queue subscribed to a topic (standard)
	kmsKey     string // KMS key of the listener's encryption; "" for none
	idempotent bool   // an idempotency phase (memory store) before the handler
	// decorate, when set, is a produce-side decorator of the listener's
	// service (its sends go through it).
	decorate message.PublisherDecorator
	// atRestOnly leaves out the encryption phases: kmsKey encrypts the
	// queues at rest only.
	atRestOnly bool
	// logger, when set, is the transport's Logger.
	logger watermill.LoggerAdapter
}

// badRig is one row's running service: a listener on its own queue and
// dead-letter queue, and the raw clients that inject bad input.
type badRig struct {
	svc  *cqrs.Service
	tr   *awsbus.Transport
	dest string // the listened destination: queue name, or topic name
	ep   topology.Endpoint
	sqs  *sqs.Client
	kms  *kms.Client
	enc  *awsbus.Encryption // nil without encryption
	runs *ledger
	lis  badListener
	// deadSeen holds the bodies deadLetters returned.
	deadSeen map[string]bool
}

// newBadRig starts a service listening on a fresh destination.
func newBadRig(t *testing.T, lis badListener) *badRig {
	t.Helper()
	r := &badRig{lis: lis, runs: &ledger{}, sqs: sqs.NewFromConfig(awsConfig(t)), kms: kms.NewFromConfig(awsConfig(t))}
	suffix := ""
	if lis.fifo {
		suffix = ".fifo"
	}
	r.dest = uniqueName("bad", suffix)
	tr, err := awsbus.NewTransportFromAWS(awsConfig(t), awsbus.Config{
		ConsumerConfig:  awsbus.ConsumerConfig{WaitTime: time.Second, VisibilityTimeout: 10 * time.Second, ShutdownTimeout: 5 * time.Second},
		MaxReceiveCount: 3, KMSKeyID: lis.kmsKey, Logger: lis.logger,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tr.Close()) })
	r.tr = tr
	consume, produce := r.pipeline(t)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{
		Name: "bad-" + r.dest, Transport: tr, Listen: []string{r.dest}, CloseTimeout: 10 * time.Second,
		HandlerMiddleware: consume, PublisherDecorators: produce,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, svc.Close()) })
	r.svc = svc
	r.register(t)
	startModel(t, svc)
	r.ep = tr.Endpoints()[r.dest]
	require.NotEmpty(t, r.ep.QueueURL)
	require.NotEmpty(t, r.ep.DLQURL)
	return r
}

// pipeline returns the consume side (idempotency, then decryption) and the
// produce side (the row's decorator, then encryption) of the listener.
func (r *badRig) pipeline(t *testing.T) ([]message.HandlerMiddleware, []message.PublisherDecorator) {
	t.Helper()
	var consume []message.HandlerMiddleware
	var produce []message.PublisherDecorator
	if r.lis.idempotent {
		store, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = store.Close() })
		mw, err := idempotency.NewMiddleware(store, idempotency.MiddlewareConfig{})
		require.NoError(t, err)
		consume = append(consume, mw.Middleware)
	}
	if r.lis.decorate != nil {
		produce = append(produce, r.lis.decorate)
	}
	if r.lis.kmsKey != "" && !r.lis.atRestOnly {
		enc, err := awsbus.NewEncryption(r.kms, r.tr, awsbus.EncryptionConfig{})
		require.NoError(t, err)
		r.enc = enc
		consume = append(consume, enc.Decrypter.Middleware)
		produce = append(produce, enc.Encrypter.DecoratePublisher)
	}
	return consume, produce
}

// register routes the row's type to its destination and records every
// handler run in r.runs and in the entity's BadTotal.
func (r *badRig) register(t *testing.T) {
	t.Helper()
	if r.lis.event {
		require.NoError(t, cqrs.RegisterEvent[BadPaid](r.svc, badPaidType, r.dest))
		view := cqrs.NewView[BadTotal](r.svc, "bad-totals")
		require.NoError(t, cqrs.Project(view, func(_ context.Context, v *BadTotal, e BadPaid, env cqrs.Envelope) error {
			r.runs.add(r.svc.Name(), hBad, env)
			v.Amount += e.Amount
			v.Count++
			return nil
		}))
		return
	}
	require.NoError(t, cqrs.RegisterCommand[BadPay](r.svc, badPayType, r.dest))
	saga := cqrs.NewSaga[BadTotal](r.svc, "bad-totals")
	require.NoError(t, cqrs.Handle(saga, func(_ context.Context, s *BadTotal, c BadPay, env cqrs.Envelope) ([]any, error) {
		r.runs.add(r.svc.Name(), hBad, env)
		s.Amount += c.Amount
		s.Count++
		return nil, nil
	}))
}

// good sends a well-formed message through the service's API: a command,
// or an event raised on the listened topic.
func (r *badRig) good(t *testing.T, entity string, amount int) cqrs.Envelope {
	t.Helper()
	ctx := context.Background()
	var env cqrs.Envelope
	var err error
	if r.lis.event {
		env, err = r.svc.EventQueue().Raise(ctx, entity, BadPaid{Amount: amount})
	} else {
		env, err = cqrs.NewAggregate(r.svc, "bad-totals").Send(ctx, entity, BadPay{Amount: amount})
	}
	require.NoError(t, err)
	return env
}

// send sends cmd through the service's API and returns what Send returns.
func (r *badRig) send(entity string, cmd BadPay) (cqrs.Envelope, error) {
	return cqrs.NewAggregate(r.svc, "bad-totals").Send(context.Background(), entity, cmd)
}

// handledOnce waits until the handler ran for every id. Delivery is at
// least once: a command's saga applies a redelivered command once (it does
// not run the handler again), which is asserted; an event's view runs its
// projection on every delivery, so only the first run is asserted.
func (r *badRig) handledOnce(t *testing.T, ids ...string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, id := range ids {
			if r.runs.count(func(h handled) bool { return h.Env.MessageID == id }) == 0 {
				return false
			}
		}
		return true
	}, r.patience(), 100*time.Millisecond, "handled: %s", strings.Join(ids, ", "))
	if r.lis.event {
		return
	}
	for _, id := range ids {
		assert.Equal(t, 1, r.runs.count(func(h handled) bool { return h.Env.MessageID == id }), "saga runs of command %s", id)
	}
}

// patience bounds the waits for the listener's messages: good events
// cross SNS.
func (r *badRig) patience() time.Duration {
	if r.lis.event {
		return snsPatience
	}
	return badPatience
}

// deadLetters receives (and deletes) what the DLQ holds: want distinct
// messages within badPatience, or, with want 0, whatever new arrives within
// a moment. Messages are told apart by body, and a body returned before is
// not returned again: the copy into the DLQ and the delete from the queue
// are two calls, so under load a message can be copied twice.
func (r *badRig) deadLetters(t *testing.T, want int) []sqstypes.Message {
	t.Helper()
	within := badPatience
	if want == 0 {
		within = 2 * time.Second
	}
	if r.deadSeen == nil {
		r.deadSeen = map[string]bool{}
	}
	var got []sqstypes.Message
	deadline := time.Now().Add(within)
	for (want == 0 || len(got) < want) && time.Now().Before(deadline) {
		for _, m := range receiveAll(t, r.sqs, r.ep.DLQURL, 0, time.Second) {
			if body := aws.ToString(m.Body); !r.deadSeen[body] {
				r.deadSeen[body] = true
				got = append(got, m)
			}
		}
	}
	if want > 0 {
		require.Len(t, got, want, "distinct messages in %s", r.ep.DLQURL)
	}
	return got
}

// queueARN returns the ARN of the listener's queue.
func (r *badRig) queueARN(t *testing.T) string {
	t.Helper()
	out, err := r.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(r.ep.QueueURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	require.NoError(t, err)
	return out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}
