package awsbus

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// FuzzUnmarshal decodes arbitrary received SQS messages, sent directly or
// delivered raw by SNS: a body, the packed envelope attribute and one more
// attribute, string or binary, as the subscriber reads them. A packed
// envelope that is not a JSON object of strings, or that holds a key it never
// carries (refusedKey), is refused with ErrMalformedMessage and left unread:
// the message keeps its attributes alone. Otherwise the message never keeps
// the packed attribute or a consume marker, and either encodes again to a
// wire form that decodes to the same message or is refused with a
// wire-format sentinel.
func FuzzUnmarshal(f *testing.F) {
	for _, md := range []message.Metadata{fullMetadata(), {sourceflow.MetaFailure: "x"}, {"tenant": "a"}} {
		msg := message.NewMessage("u-1", []byte(`{"id":1}`))
		msg.Metadata = md
		wire, err := marshal(msg)
		require.NoError(f, err)
		for k, v := range wire.attrs {
			if k != sourceflow.MetaEnvelope {
				f.Add(wire.body, wire.attrs[sourceflow.MetaEnvelope], k, []byte(v), false, "sqs-id")
			}
		}
	}
	f.Add("body", `{"uuid":"u","sf_id":1}`, sourceflow.MetaType, []byte("t"), false, "sqs-id")
	f.Add("body", `null`, "bin", []byte{0xff, 0}, true, "")
	f.Add("", `{"sf_env":"x","sf_failure":"y","uuid":""}`, sourceflow.MetaLastError, []byte("z"), false, "sqs-id")
	f.Add("body", `{"uuid":"u","sf_type":"b"}`, sourceflow.MetaType, []byte("a"), false, "sqs-id")
	f.Add("body", `{"uuid":"u","tenant":"b"}`, "other", []byte("a"), false, "sqs-id")
	f.Add("body", `{"tenant":"b","sf_failure":"r"}`, "tenant", []byte("a"), false, "sqs-id")
	f.Fuzz(func(t *testing.T, body, packed, key string, value []byte, binary bool, fallback string) {
		attrs := map[string]sqstypes.MessageAttributeValue{
			sourceflow.MetaEnvelope: {DataType: aws.String("String"), StringValue: aws.String(packed)},
		}
		if key != sourceflow.MetaEnvelope {
			v := sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(string(value))}
			if binary {
				v = sqstypes.MessageAttributeValue{DataType: aws.String("Binary"), BinaryValue: value}
			}
			attrs[key] = v
		}
		msg, err := unmarshal(body, fromSQSAttributes(attrs), fallback)
		require.NotNil(t, msg)
		require.Equal(t, body, string(msg.Payload))
		var env map[string]string
		jerr := json.Unmarshal([]byte(packed), &env)
		if jerr != nil || refusedKey(env, key) {
			require.ErrorIs(t, err, ErrMalformedMessage)
			require.Contains(t, err.Error(), sourceflow.MetaEnvelope)
			checkUnread(t, msg, key, string(value), fallback)
			return
		}
		require.NoError(t, err)
		checkDecoded(t, msg, env, key, string(value))
		checkReencoded(t, msg)
	})
}

// refusedKey reports whether the packed envelope env holds a key it never
// carries beside the attribute key: the type or the envelope itself, the
// attribute's name, or, in an envelope with the UUID, a key other than
// the envelope keys. The UUID key and the consume markers are always
// allowed.
func refusedKey(env map[string]string, key string) bool {
	for k := range env {
		if k == envelopeUUID || sourceflow.IsConsumeMarker(k) {
			continue
		}
		if k == sourceflow.MetaType || k == sourceflow.MetaEnvelope || k == key {
			return true
		}
	}
	return false
}

// checkUnread asserts that a refused message has its attribute key alone
// (none when it is the envelope or a consume marker) and the fallback UUID.
func checkUnread(t *testing.T, msg *message.Message, key, value, fallback string) {
	t.Helper()
	want := message.Metadata{}
	if key != sourceflow.MetaEnvelope && !sourceflow.IsConsumeMarker(key) {
		want[key] = value
	}
	require.Equal(t, want, msg.Metadata)
	require.Equal(t, fallback, msg.UUID)
}

// checkDecoded asserts what unmarshal keeps of the packed envelope env and
// the attribute key.
func checkDecoded(t *testing.T, msg *message.Message, env map[string]string, key, value string) {
	t.Helper()
	if _, inEnv := env[sourceflow.MetaEnvelope]; !inEnv {
		require.NotContains(t, msg.Metadata, sourceflow.MetaEnvelope, "the packed attribute is not metadata")
	}
	for k := range msg.Metadata {
		require.False(t, sourceflow.IsConsumeMarker(k), "consume marker %q survived decoding", k)
	}
	if _, inEnv := env[key]; !inEnv && key != sourceflow.MetaEnvelope && !sourceflow.IsConsumeMarker(key) {
		require.Equal(t, value, msg.Metadata[key], "attribute %q", key)
	}
	for k, v := range env {
		if k != envelopeUUID && !sourceflow.IsConsumeMarker(k) {
			require.Equal(t, v, msg.Metadata[k], "packed key %q", k)
		}
	}
	if id, ok := env[envelopeUUID]; ok {
		require.Equal(t, id, msg.UUID)
	}
}

// checkReencoded asserts that msg either encodes to a wire form that decodes
// to the same message or is refused with a wire-format sentinel.
func checkReencoded(t *testing.T, msg *message.Message) {
	t.Helper()
	wire, err := marshal(msg)
	if err != nil {
		require.True(t, errors.Is(err, ErrInvalidPayload) || errors.Is(err, ErrInvalidAttribute) ||
			errors.Is(err, ErrAttributeBudget), "unclassified encoding error: %v", err)
		return
	}
	again, err := unmarshal(wire.body, wire.attrs, "other-fallback")
	require.NoError(t, err)
	require.Equal(t, msg.UUID, again.UUID)
	require.Equal(t, msg.Payload, again.Payload)
	want := message.Metadata{}
	for k, v := range msg.Metadata {
		if v != "" {
			want[k] = v
		}
	}
	require.Equal(t, want, again.Metadata)
}
