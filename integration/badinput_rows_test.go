//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// badRows returns the catalogue; key is the KMS key of the encrypted
// listeners.
func badRows(key string) []badRow {
	encrypted := badListener{kmsKey: key}
	decryptFailed := encryption.ErrDecrypt.Error()
	return []badRow{
		{name: "empty body", inject: injectEmptyBody},
		{name: "non-JSON body", inject: rawBody("not json"), reason: []string{cqrs.ErrDecode.Error(), "invalid character"}},
		{name: "JSON of the wrong shape", inject: rawBody(`{"amount":"ten"}`),
			reason: []string{cqrs.ErrDecode.Error(), "cannot unmarshal string"}},
		{name: "unknown type", inject: injectUnknownType, reason: []string{cqrs.ErrUnknownType.Error() + `: "bad.Unheard"`}},
		{name: "missing attributes", inject: injectNoAttributes,
			reason: []string{cqrs.ErrEnvelope.Error() + ": missing " + sourceflow.MetaType}},
		{name: "unreadable attributes", inject: injectUnreadableEnvelope,
			reason: []string{awsbus.ErrMalformedMessage.Error(), "attribute sf_env is not a JSON object of strings"}},
		{name: "type packed into sf_env", inject: injectPackedType,
			reason: []string{awsbus.ErrMalformedMessage.Error(), `attribute sf_env holds the key "sf_type"`}},
		{name: "oversized attributes", lis: badListener{decorate: extraAttributes}, inject: injectOversizedAttributes,
			reason: []string{cqrs.ErrUnknownType.Error()}},
		{name: "envelope of a future version", lis: encrypted, inject: injectFutureHeader,
			reason: []string{decryptFailed, encryption.ErrUnsupportedVersion.Error() + ": 3"}},
		{name: "body over the queue limit", inject: injectOverLimit},
		{name: "SNS envelope on a raw-delivery queue", inject: injectSNSEnvelope,
			reason: []string{awsbus.ErrMalformedMessage.Error(), "SNS notification envelope", "RawMessageDelivery"}},
		{name: "raw message where an SNS envelope is expected", lis: badListener{event: true}, inject: injectRawOnEventQueue},
		{name: "truncated ciphertext", lis: encrypted, inject: injectCiphertext(truncated),
			reason: []string{decryptFailed, encryption.ErrTampered.Error()}},
		{name: "tampered ciphertext", lis: encrypted, inject: injectCiphertext(tampered),
			reason: []string{decryptFailed, encryption.ErrTampered.Error()}},
		{name: "captured command sent again for another entity", lis: encrypted, inject: injectRewritten(sourceflow.MetaEntityID, "victim-1"),
			reason: []string{decryptFailed, encryption.ErrTampered.Error()}},
		{name: "captured command sent again with a fresh message id", lis: encrypted, inject: injectRewritten(sourceflow.MetaMessageID, "fresh-id"),
			reason: []string{decryptFailed, encryption.ErrTampered.Error()}},
		{name: "captured command sent again with another sequence", lis: encrypted, inject: injectRewritten(sourceflow.MetaSequence, "99"),
			reason: []string{decryptFailed, encryption.ErrTampered.Error()}},
		{name: "captured command sent again as another type", lis: encrypted, inject: injectRewritten(sourceflow.MetaType, badPaidType),
			reason: []string{decryptFailed, encryption.ErrContextMismatch.Error()}},
		{name: "wrong encryption context", lis: encrypted, inject: injectMovedCiphertext,
			reason: []string{decryptFailed, encryption.ErrContextMismatch.Error(), `-elsewhere"`}},
		// The key is not the transport's: its header is refused before any KMS call.
		{name: "unknown KMS key", lis: encrypted, inject: injectOtherKey(scheduleDeletion),
			reason: []string{decryptFailed, encryption.ErrKeyNotAllowed.Error()}},
		{name: "disabled KMS key", lis: encrypted, inject: injectOtherKey(disableKey),
			reason: []string{decryptFailed, encryption.ErrKeyNotAllowed.Error()}},
		{name: "same message id with a different payload", lis: badListener{idempotent: true}, inject: injectReusedID,
			reason: []string{idempotency.ErrPayloadMismatch.Error()}},
		{name: "FIFO message without a group id", lis: badListener{fifo: true}, inject: injectNoGroup,
			reason: []string{cqrs.ErrEmptyEntityID.Error()}},
	}
}

// rawBody injects a message with a valid envelope and body.
func rawBody(body string) func(*testing.T, *badRig, cqrs.Envelope) injected {
	return func(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
		return injected{dead: r.mustInject(t, wireOf(r.badMessage("bad", body))).body}
	}
}

// injectEmptyBody: SQS refuses an empty body, so it cannot arrive; the
// transport's publisher refuses it before sending, permanently.
func injectEmptyBody(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	err := r.inject(wire{body: ""}, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MessageBody")
	pub, err := r.tr.Publisher(r.dest)
	require.NoError(t, err)
	err = pub.Publish(r.dest, r.badMessage("bad", ""))
	require.ErrorIs(t, err, awsbus.ErrInvalidPayload)
	assert.True(t, sourceflow.IsPermanent(err), "an empty body can never be sent")
	assert.Contains(t, err.Error(), "empty payload")
	return injected{}
}

func injectUnknownType(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	msg := r.badMessage("bad", `{"amount":1}`)
	msg.Metadata.Set(sourceflow.MetaType, "bad.Unheard")
	return injected{dead: r.mustInject(t, wireOf(msg)).body}
}

func injectNoAttributes(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	return injected{dead: r.mustInject(t, wire{body: `{"amount":5}`}).body}
}

func injectUnreadableEnvelope(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	w := wireOf(r.badMessage("bad", `{"amount":6}`))
	w.attrs[sourceflow.MetaEnvelope] = `{not json`
	return injected{dead: r.mustInject(t, w).body}
}

// extraAttributes is a produce-side decorator that gives messages for the
// entity "many-attributes" ten more attributes and those for
// "huge-attribute" one over the SQS size limit.
func extraAttributes(pub message.Publisher) (message.Publisher, error) {
	return &badDecorated{Publisher: pub}, nil
}

type badDecorated struct{ message.Publisher }

func (p *badDecorated) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		switch m.Metadata.Get(sourceflow.MetaEntityID) {
		case "many-attributes":
			for i := range sourceflow.AttributeBudget {
				m.Metadata.Set(fmt.Sprintf("tenant-%d", i), "x")
			}
		case "huge-attribute":
			m.Metadata.Set("note", strings.Repeat("n", awsbus.MaxSQSMessageBytes))
		}
	}
	return p.Publisher.Publish(topic, msgs...)
}

// injectOversizedAttributes: too many or too large attributes are refused
// at send time by the transport and by SQS; a failing message whose
// attributes leave less room than its reason needs is dead-lettered with
// the reason shortened to fit.
func injectOversizedAttributes(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	_, err := r.send("many-attributes", BadPay{Amount: 1})
	require.ErrorIs(t, err, awsbus.ErrAttributeBudget)
	assert.Contains(t, err.Error(), fmt.Sprintf("at most %d allowed", sourceflow.AttributeBudget))
	_, err = r.send("huge-attribute", BadPay{Amount: 1})
	require.ErrorIs(t, err, awsbus.ErrMessageTooLarge)

	msg := r.badMessage("bad", `{"amount":1}`)
	msg.Metadata.Set(sourceflow.MetaType, "bad.Unheard")
	w := wireOf(msg)
	w.attrs["note"] = strings.Repeat("n", awsbus.MaxSQSMessageBytes)
	require.Error(t, r.inject(w, ""), "SQS refuses a message over its limit")
	const room = 64 // bytes left below the limit
	w.attrs["note"] = ""
	w.attrs["note"] = strings.Repeat("n", awsbus.MaxSQSMessageBytes-room-wireBytes(w))
	require.Equal(t, awsbus.MaxSQSMessageBytes-room, wireBytes(w))
	return injected{dead: r.mustInject(t, w).body}
}

// wireBytes is the size SQS counts: body plus attribute names, data types
// and values.
func wireBytes(w wire) int {
	n := len(w.body)
	for k, v := range w.attrs {
		n += len(k) + len("String") + len(v)
	}
	return n
}

func injectFutureHeader(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	w := r.encryptedFor(t, nil, r.dest, r.badMessage("bad", `{"amount":1}`))
	return injected{dead: r.mustInject(t, withHeaderVersion(t, w, encryption.HeaderVersion2+1)).body}
}

// injectOverLimit: a body over the limit is refused by the transport
// before any call, and by SQS when sent straight to the queue.
func injectOverLimit(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	_, err := r.send("big", BadPay{Amount: 1, Note: strings.Repeat("n", awsbus.MaxSQSMessageBytes)})
	require.ErrorIs(t, err, awsbus.ErrMessageTooLarge)
	assert.Contains(t, err.Error(), fmt.Sprintf("SQS accepts at most %d", awsbus.MaxSQSMessageBytes))
	err = r.inject(wire{body: strings.Repeat("n", awsbus.MaxSQSMessageBytes+1)}, "")
	require.Error(t, err, "SQS refuses a body over its limit")
	return injected{}
}

func injectSNSEnvelope(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	w := r.mustInject(t, r.snsEnvelope(t, wireOf(r.badMessage("bad", `{"amount":7}`))))
	return injected{dead: w.body}
}

// injectRawOnEventQueue: every queue of the transport is read in the raw
// format (its subscriptions use raw message delivery), so a raw message
// sent straight to an event queue is handled like one SNS delivered.
func injectRawOnEventQueue(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	msg := r.badMessage("raw", `{"amount":3}`)
	r.mustInject(t, wireOf(msg))
	return injected{handled: msg.UUID}
}

func injectCiphertext(change func(wire) wire) func(*testing.T, *badRig, cqrs.Envelope) injected {
	return func(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
		w := r.encryptedFor(t, nil, r.dest, r.badMessage("bad", `{"amount":1}`))
		return injected{dead: r.mustInject(t, change(w)).body}
	}
}

// injectRewritten injects a genuine encrypted message, as a producer sent
// it, with one envelope field rewritten where it travels: in its packed
// sf_env attribute, or, for the type, in its own attribute. It is the
// capture-and-replay attack of someone who can send to the queue.
func injectRewritten(key, value string) func(*testing.T, *badRig, cqrs.Envelope) injected {
	return func(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
		msg := r.badMessage("owner-1", `{"amount":1}`)
		msg.Metadata.Set(sourceflow.MetaSequence, "3")
		w := r.encryptedFor(t, nil, r.dest, msg)
		if !sourceflow.IsEnvelopeKey(key) {
			require.NotEqual(t, value, w.attrs[key])
			w.attrs[key] = value
			return injected{dead: r.mustInject(t, w).body}
		}
		return injected{dead: r.mustInject(t, withPacked(t, w, key, value)).body}
	}
}

// injectPackedType injects a message whose packed sf_env attribute says
// another type than its sf_type attribute, the one an SNS filter policy
// matches: the consumer refuses it rather than handle the packed type.
func injectPackedType(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	w := wireOf(r.badMessage("bad", `{"amount":8}`))
	return injected{dead: r.mustInject(t, withPacked(t, w, sourceflow.MetaType, badPaidType)).body}
}

// withPacked returns w with key set to value in its packed sf_env attribute.
func withPacked(t *testing.T, w wire, key, value string) wire {
	t.Helper()
	var env map[string]string
	require.NoError(t, json.Unmarshal([]byte(w.attrs[sourceflow.MetaEnvelope]), &env))
	require.NotEqual(t, value, env[key])
	env[key] = value
	packed, err := json.Marshal(env)
	require.NoError(t, err)
	w.attrs[sourceflow.MetaEnvelope] = string(packed)
	return w
}

// injectMovedCiphertext injects a message encrypted for another queue.
func injectMovedCiphertext(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	w := r.encryptedFor(t, nil, r.dest+"-elsewhere", r.badMessage("bad", `{"amount":1}`))
	return injected{dead: r.mustInject(t, w).body}
}

func scheduleDeletion(t *testing.T, c *kms.Client, key string) {
	_, err := c.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: aws.String(key), PendingWindowInDays: aws.Int32(7)})
	require.NoError(t, err)
}

func disableKey(t *testing.T, c *kms.Client, key string) {
	skipOnMoto(t, "moto decrypts with a disabled KMS key")
	_, err := c.DisableKey(context.Background(), &kms.DisableKeyInput{KeyId: aws.String(key)})
	require.NoError(t, err)
}

// injectOtherKey injects a message encrypted under another KMS key, which
// retire then makes unusable.
func injectOtherKey(retire func(*testing.T, *kms.Client, string)) func(*testing.T, *badRig, cqrs.Envelope) injected {
	return func(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
		enc, key := r.otherKeyEncrypter(t)
		w := r.encryptedFor(t, enc, r.dest, r.badMessage("bad", `{"amount":1}`))
		retire(t, r.kms, key)
		return injected{dead: r.mustInject(t, w).body}
	}
}

// injectReusedID injects a message with the id of the handled one and
// another payload.
func injectReusedID(t *testing.T, r *badRig, before cqrs.Envelope) injected {
	msg := r.badMessage(before.EntityID, `{"amount":1000}`)
	msg.UUID = before.MessageID
	msg.Metadata.Set(sourceflow.MetaMessageID, before.MessageID)
	return injected{dead: r.mustInject(t, wireOf(msg)).body}
}

// injectNoGroup: the API refuses a FIFO message without an entity id (its
// group id) and SQS one without a group id; one that has a group id but no
// entity id is dead-lettered.
func injectNoGroup(t *testing.T, r *badRig, _ cqrs.Envelope) injected {
	_, err := r.send("", BadPay{Amount: 1})
	require.ErrorIs(t, err, cqrs.ErrEmptyEntityID)
	pub, err := r.tr.Publisher(r.dest)
	require.NoError(t, err)
	require.ErrorIs(t, pub.Publish(r.dest, r.badMessage("", `{"amount":1}`)), awsbus.ErrMissingEntityID)
	err = r.inject(wireOf(r.badMessage("", `{"amount":1}`)), "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MessageGroupId")
	return injected{dead: r.mustInject(t, wireOf(r.badMessage("", `{"amount":4}`))).body}
}
