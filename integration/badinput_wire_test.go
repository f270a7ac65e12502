//go:build integration

package integration

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// wire is a message in the form SQS carries it: a body and string
// attributes.
type wire struct {
	body  string
	attrs map[string]string
}

// badMessage returns a well-formed message of the row's type for entity
// (no sf_entity when entity is empty) with the given payload.
func (r *badRig) badMessage(entity, payload string) *message.Message {
	id := uniqueName("bad-msg", "")
	typ := badPayType
	if r.lis.event {
		typ = badPaidType
	}
	msg := message.NewMessage(id, []byte(payload))
	cqrs.Envelope{Type: typ, MessageID: id, EntityID: entity, OccurredAt: time.Now()}.WriteTo(msg)
	if entity == "" {
		delete(msg.Metadata, sourceflow.MetaEntityID)
	}
	return msg
}

// wireOf renders msg the way SourceFlow's SQS/SNS transport writes it: the
// payload as body, the envelope keys and the UUID packed into sf_env, every
// other metadata value in an attribute of its own.
func wireOf(msg *message.Message) wire {
	env := map[string]string{"uuid": msg.UUID}
	attrs := map[string]string{}
	for k, v := range msg.Metadata {
		if sourceflow.IsEnvelopeKey(k) {
			env[k] = v
		} else {
			attrs[k] = v
		}
	}
	packed, _ := json.Marshal(env)
	attrs[sourceflow.MetaEnvelope] = string(packed)
	return wire{body: string(msg.Payload), attrs: attrs}
}

// inject sends w straight to the listener's queue with the SQS API, as a
// foreign producer would; on a FIFO queue group is its message group id
// ("" sends none).
func (r *badRig) inject(w wire, group string) error {
	in := &sqs.SendMessageInput{QueueUrl: aws.String(r.ep.QueueURL), MessageBody: aws.String(w.body),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{}}
	for k, v := range w.attrs {
		in.MessageAttributes[k] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	if r.ep.FIFO && group != "" {
		in.MessageGroupId, in.MessageDeduplicationId = aws.String(group), aws.String(uniqueName("dedup", ""))
	}
	_, err := r.sqs.SendMessage(context.Background(), in)
	return err
}

// mustInject is inject that fails the test when SQS refuses w.
func (r *badRig) mustInject(t *testing.T, w wire) wire {
	t.Helper()
	require.NoError(t, r.inject(w, "bad-group"))
	return w
}

// encryptedFor encrypts msg for destination with enc (the listener's own
// Encrypter when enc is nil) and returns its wire form.
func (r *badRig) encryptedFor(t *testing.T, enc *encryption.Encrypter, destination string, msg *message.Message) wire {
	t.Helper()
	if enc == nil {
		enc = r.enc.Encrypter
	}
	out, err := enc.Encrypt(context.Background(), destination, msg)
	require.NoError(t, err)
	return wireOf(out)
}

// otherKeyEncrypter returns an Encrypter of the listener's application
// under a new KMS key, and the key id.
func (r *badRig) otherKeyEncrypter(t *testing.T) (*encryption.Encrypter, string) {
	t.Helper()
	key := encCreateKey(t, r.kms)
	enc, err := encryption.NewEncrypter(r.kms, encryption.EncrypterConfig{KeyID: key})
	require.NoError(t, err)
	return enc, key
}

// withHeaderVersion returns w with the format version of its encryption
// header set to v.
func withHeaderVersion(t *testing.T, w wire, v byte) wire {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(w.attrs[sourceflow.MetaEncryption])
	require.NoError(t, err)
	require.Equal(t, encryption.HeaderVersion2, raw[0])
	raw[0] = v
	w.attrs[sourceflow.MetaEncryption] = base64.StdEncoding.EncodeToString(raw)
	return w
}

// truncated returns w with the second half of its ciphertext cut off (the
// body stays valid base64).
func truncated(w wire) wire {
	n := len(w.body) / 2
	w.body = w.body[:n-n%4]
	return w
}

// tampered returns w with one ciphertext character in the middle of its
// body changed (the body stays valid base64).
func tampered(w wire) wire {
	b := []byte(w.body)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	w.body = string(b)
	return w
}

// snsEnvelope returns w as SNS delivers it through a subscription without
// raw message delivery: a JSON notification whose Message is w's body and
// whose MessageAttributes are w's attributes; the delivered message itself
// has no attributes.
func (r *badRig) snsEnvelope(t *testing.T, w wire) wire {
	t.Helper()
	attrs := map[string]map[string]string{}
	for k, v := range w.attrs {
		attrs[k] = map[string]string{"Type": "String", "Value": v}
	}
	topic := strings.Replace(r.queueARN(t), ":sqs:", ":sns:", 1) + "-foreign"
	body, err := json.Marshal(map[string]any{
		"Type": "Notification", "MessageId": uniqueName("sns", ""), "TopicArn": topic, "Message": w.body,
		"Timestamp": time.Now().UTC().Format(time.RFC3339Nano), "SignatureVersion": "1", "Signature": "c2ln",
		"SigningCertURL": "https://sns.us-east-1.amazonaws.com/cert.pem",
		"UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe", "MessageAttributes": attrs,
	})
	require.NoError(t, err)
	return wire{body: string(body)}
}
