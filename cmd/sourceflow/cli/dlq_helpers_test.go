package cli_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// dlqEnv is the orders topology applied to the awsbustest fakes, with a
// fake KMS and a fake clock for the dlq commands.
type dlqEnv struct {
	sqs   *awsbustest.MoveTaskSQS
	sns   *awsbustest.SNS
	kms   *encryptiontest.KMS
	keyID string
	clock *clocktest.Manual
	path  string
	// stdin is the commands' standard input.
	stdin string
	// client is the SQS client of the commands; default sqs.
	client topology.SQSAPI
	// kmsAPI is the KMS client of peek --decrypt; default kms.
	kmsAPI encryption.KMSAPI
}

func newDLQEnv(t *testing.T) *dlqEnv {
	t.Helper()
	e := newUnappliedDLQEnv(t)
	_, errOut, code := e.run(t, "apply", "-f", e.path)
	require.Equal(t, cli.ExitOK, code, errOut)
	return e
}

// newUnappliedDLQEnv is newDLQEnv before the topology is applied: no queue
// exists.
func newUnappliedDLQEnv(t *testing.T) *dlqEnv {
	t.Helper()
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	k := encryptiontest.New()
	return &dlqEnv{
		sqs: awsbustest.NewMoveTaskSQS(q), sns: awsbustest.NewSNS(q, awsbustest.SNSConfig{}),
		kms: k, keyID: k.CreateKey(), clock: clocktest.NewStepping(time.Unix(1_800_000_000, 0)),
		path: writeTopology(t, ordersBinding(), topology.Options{}),
	}
}

// run runs args through the root command on the fakes.
func (e *dlqEnv) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return e.runContext(t, context.Background(), args...)
}

func (e *dlqEnv) runContext(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	var client topology.SQSAPI = e.sqs
	if e.client != nil {
		client = e.client
	}
	cfg := cli.Config{
		Clients: func(context.Context) (cli.Clients, error) {
			return cli.Clients{SQS: client, SNS: e.sns, STS: awsbustest.NewSTS(e.sqs.SQS), Region: e.sqs.Region()}, nil
		},
		Stdin: bytes.NewBufferString(e.stdin), Stdout: &out, Stderr: &errOut,
	}
	var kmsAPI encryption.KMSAPI = e.kms
	if e.kmsAPI != nil {
		kmsAPI = e.kmsAPI
	}
	code = cli.Run(cli.WithDLQFakes(ctx, kmsAPI, e.clock), cfg, args)
	return out.String(), errOut.String(), code
}

// letter is a dead letter as awsbus writes it.
type letter struct {
	id, typ, entity, reason, body string
	// packedReason puts the reason inside sf_env, as awsbus does when the
	// message has no attribute to spare.
	packedReason bool
	// encryptFor encrypts the body for this destination (signs it only,
	// with signOnly).
	encryptFor string
	signOnly   bool
	// headerKeyID replaces the key id the encryption header names, as a
	// sender forging the header would.
	headerKeyID string
	// occurredAt is the envelope's occurred-at time; letterTime when empty.
	occurredAt string
	// receives is the consumer's receive count awsbus writes into the
	// copy; none when empty.
	receives string
	// hops is the message's hop count (sf_hops), none when empty; inside
	// sf_env with packedHops, as awsbus packs it when the message has no
	// attribute to spare.
	hops       string
	packedHops bool
	// failedHost and failedVersion say where the handler failed, as awsbus
	// copies them from cqrs; inside sf_env with packedOrigin.
	failedHost, failedVersion string
	packedOrigin              bool
}

// envelope is the envelope metadata of l.
func (l letter) envelope() map[string]string {
	return map[string]string{sourceflow.MetaMessageID: l.id, sourceflow.MetaEntityID: l.entity,
		sourceflow.MetaCorrelationID: "corr-" + l.id, sourceflow.MetaOccurredAt: cmp.Or(l.occurredAt, letterTime)}
}

// letterTime is when every letter occurred: as cqrs sends it, the envelope
// carries the time, so that the Encrypter keeps it.
var letterTime = time.Now().UTC().Format(time.RFC3339Nano)

// putFIFO puts on the FIFO dead-letter queue orders-dlq.fifo, in order, a
// failed orders.CreateOrder for each "id:entity" of letters, whose body is
// its id.
func (e *dlqEnv) putFIFO(t *testing.T, letters ...string) {
	t.Helper()
	for _, l := range letters {
		id, entity, _ := strings.Cut(l, ":")
		e.put(t, "orders-dlq.fifo", letter{id: id, entity: entity, typ: "orders.CreateOrder", reason: "boom", body: id})
	}
}

// put sends l to queue as awsbus dead-letters it and returns its attributes.
func (e *dlqEnv) put(t *testing.T, queue string, l letter) map[string]sqstypes.MessageAttributeValue {
	t.Helper()
	env := l.envelope()
	env["uuid"] = l.id
	attrs := map[string]string{sourceflow.MetaType: l.typ, "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
	switch {
	case l.hops == "":
	case l.packedHops:
		env[sourceflow.MetaHops] = l.hops
	default:
		attrs[sourceflow.MetaHops] = l.hops
	}
	switch {
	case l.reason == "": // as SQS or SNS moved it: no reason
	case l.packedReason:
		env[sourceflow.MetaFailure] = l.reason
	default:
		attrs[sourceflow.MetaFailure] = l.reason
	}
	if l.receives != "" {
		attrs[sourceflow.MetaDeliveryCount] = l.receives
	}
	origin := attrs
	if l.packedOrigin {
		origin = env
	}
	if l.failedHost != "" {
		origin[sourceflow.MetaFailedHost] = l.failedHost
	}
	if l.failedVersion != "" {
		origin[sourceflow.MetaFailedVersion] = l.failedVersion
	}
	body := l.body
	if l.encryptFor != "" {
		body, attrs[sourceflow.MetaEncryption] = e.encrypt(t, l, l.encryptFor)
	}
	if l.headerKeyID != "" {
		attrs[sourceflow.MetaEncryption] = withHeaderKeyID(t, attrs[sourceflow.MetaEncryption], l.headerKeyID)
	}
	packed, err := json.Marshal(env)
	require.NoError(t, err)
	attrs[sourceflow.MetaEnvelope] = string(packed)
	in := &sqs.SendMessageInput{QueueUrl: aws.String(e.sqs.QueueURL(queue)), MessageBody: aws.String(body),
		MessageAttributes: stringAttributes(attrs)}
	if topology.IsFIFO(queue) {
		in.MessageGroupId, in.MessageDeduplicationId = aws.String(l.entity), aws.String("dlq-"+l.id)
	}
	_, err = e.sqs.SendMessage(context.Background(), in)
	require.NoError(t, err)
	return in.MessageAttributes
}

// encrypt encrypts l's body for destination as a producer would.
func (e *dlqEnv) encrypt(t *testing.T, l letter, destination string) (body, header string) {
	t.Helper()
	enc, err := encryption.NewEncrypter(e.kms, encryption.EncrypterConfig{KeyID: e.keyID, SignOnly: l.signOnly})
	require.NoError(t, err)
	msg := message.NewMessage(l.id, []byte(l.body))
	msg.Metadata.Set(sourceflow.MetaType, l.typ)
	for k, v := range l.envelope() { // the envelope the header authenticates
		msg.Metadata.Set(k, v)
	}
	out, err := enc.Encrypt(context.Background(), destination, msg)
	require.NoError(t, err)
	return string(out.Payload), out.Metadata.Get(sourceflow.MetaEncryption)
}

func stringAttributes(in map[string]string) map[string]sqstypes.MessageAttributeValue {
	out := map[string]sqstypes.MessageAttributeValue{}
	for k, v := range in {
		out[k] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	return out
}

// messages returns the messages of queue.
func (e *dlqEnv) messages(queue string) []awsbustest.Message {
	return e.sqs.Messages(e.sqs.QueueURL(queue))
}

func itoa(n int) string { return strconv.Itoa(n) }
