package awsbus

import (
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// These tests are internal: marshal and unmarshal are unexported, and the
// fuzz test needs them directly.

func fullMetadata() message.Metadata {
	return message.Metadata{
		sourceflow.MetaType: "orders.CreateOrder", sourceflow.MetaMessageID: "m-1",
		sourceflow.MetaEntityID: "order-1", sourceflow.MetaSequence: "7",
		sourceflow.MetaCorrelationID: "c-1", sourceflow.MetaCausationID: "m-0",
		sourceflow.MetaOccurredAt: "2026-01-02T03:04:05.000000006Z", sourceflow.MetaReplay: "true",
		sourceflow.MetaTraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
		sourceflow.MetaTraceState:  "congo=t61rcWkgMzE", sourceflow.MetaEncryption: "v1.key.wrapped",
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		payload   string
		md        message.Metadata
		wantAttrs int
	}{
		{"full envelope", `{"id":1}`, fullMetadata(), 5}, // sf_type, sf_env, traceparent, tracestate, sf_enc
		{"no metadata", "x", message.Metadata{}, 1},
		{"foreign keys", "x", message.Metadata{"tenant": "a", "x-y.z": "b"}, 3},
		{"unicode", "žluťoučký 🐎", message.Metadata{"note": "ünïcode"}, 2},
		{"budget exactly", "x", budgetMetadata(9), 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := message.NewMessage("uuid-"+tt.name, []byte(tt.payload))
			msg.Metadata = tt.md
			wire, err := marshal(msg)
			require.NoError(t, err)
			assert.Len(t, wire.attrs, tt.wantAttrs)
			assert.NotContains(t, wire.attrs, "_watermill_message_uuid")
			got, err := unmarshal(wire.body, wire.attrs, "sqs-id")
			require.NoError(t, err)
			assert.Equal(t, msg.UUID, got.UUID)
			assert.Equal(t, tt.payload, string(got.Payload))
			assert.Equal(t, map[string]string(tt.md), map[string]string(got.Metadata))
		})
	}
}

func budgetMetadata(n int) message.Metadata {
	md := message.Metadata{}
	for i := range n {
		md[fmt.Sprintf("k%02d", i)] = "v"
	}
	return md
}

func TestMarshalOmitsEmptyValues(t *testing.T) {
	msg := message.NewMessage("u", []byte("x"))
	msg.Metadata = message.Metadata{sourceflow.MetaTraceState: "", sourceflow.MetaCausationID: "", "k": "v"}
	wire, err := marshal(msg)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"k": "v", sourceflow.MetaEnvelope: `{"uuid":"u"}`}, wire.attrs)
}

func TestMarshalRejects(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		md      message.Metadata
		want    error
	}{
		{"non-UTF-8 payload", []byte{0xff, 0xfe, 0x00}, nil, ErrInvalidPayload},
		{"control character payload", []byte("a\x01b"), nil, ErrInvalidPayload},
		{"space in key", []byte("x"), message.Metadata{"bad key": "v"}, ErrInvalidAttribute},
		{"AWS prefix", []byte("x"), message.Metadata{"AWS.trace": "v"}, ErrInvalidAttribute},
		{"double period", []byte("x"), message.Metadata{"a..b": "v"}, ErrInvalidAttribute},
		{"reserved envelope key", []byte("x"), message.Metadata{sourceflow.MetaEnvelope: "{}"}, ErrInvalidAttribute},
		{"over budget", []byte("x"), budgetMetadata(10), ErrAttributeBudget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := message.NewMessage("u", tt.payload)
			if tt.md != nil {
				msg.Metadata = tt.md
			}
			_, err := marshal(msg)
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestMarshalBudgetErrorNamesCountAndKeys(t *testing.T) {
	md := fullMetadata()
	for i := range 6 {
		md[fmt.Sprintf("extra%d", i)] = "v"
	}
	msg := message.NewMessage("u-1", []byte("x"))
	msg.Metadata = md
	_, err := marshal(msg)
	var be *BudgetError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, 11, be.Count)
	assert.Equal(t, sourceflow.AttributeBudget, be.Budget)
	assert.Contains(t, be.Keys, "extra5")
	assert.Contains(t, err.Error(), "11 attributes")
	assert.Contains(t, err.Error(), "extra0")
}

func TestUnmarshalGarbledEnvelope(t *testing.T) {
	msg, err := unmarshal("body", map[string]string{sourceflow.MetaType: "t", sourceflow.MetaEnvelope: "{not json"}, "sqs-id")
	require.ErrorIs(t, err, ErrMalformedMessage)
	assert.Equal(t, "sqs-id", msg.UUID)
	assert.Equal(t, "t", msg.Metadata.Get(sourceflow.MetaType))

	_, err = unmarshal("body", map[string]string{sourceflow.MetaEnvelope: `{"sf_seq":4111111111111111}`}, "sqs-id")
	require.ErrorIs(t, err, ErrMalformedMessage)
	assert.ErrorContains(t, err, "not a JSON object of strings: json: cannot unmarshal number into a value of type string")
	assert.NotContains(t, err.Error(), "4111111111111111", "the sender's value stays out of the error")
	for raw, want := range map[string]string{
		`["x"]`:        "json: cannot unmarshal array into a value of type map[string]string",
		`"x"`:          "json: cannot unmarshal string into a value of type map[string]string",
		`{"sf_id":{}}`: "json: cannot unmarshal object into a value of type string",
	} {
		_, err = unmarshal("body", map[string]string{sourceflow.MetaEnvelope: raw}, "sqs-id")
		assert.ErrorContains(t, err, want, raw)
	}

	msg, err = unmarshal("body", map[string]string{"k": "v"}, "sqs-id")
	require.NoError(t, err, "a message without envelope is foreign, not malformed")
	assert.Equal(t, "sqs-id", msg.UUID)
}

func FuzzEnvelopeRoundTrip(f *testing.F) {
	f.Add("uuid", "m-1", "order-1", "7", "c", "ca", "2026", "true", `{"a":1}`)
	f.Add("", "", "", "", "", "", "", "", "")
	f.Add("\"quoted\"", "\\", "</script>", "\u2028", "é", "{}", "[]", "null", "x")
	f.Fuzz(func(t *testing.T, uuid, id, entity, seq, corr, cause, at, replay, body string) {
		msg := message.NewMessage(uuid, []byte(body))
		// The hop count, the payload version and the redrive count and
		// time reuse fuzzed values, so that the stored corpus keeps its
		// arguments.
		values := []string{id, entity, seq, corr, cause, at, replay, seq, corr, seq, at}
		for i, k := range sourceflow.EnvelopeKeys() {
			msg.Metadata[k] = values[i]
		}
		wire, err := marshal(msg)
		if !sqsrules.ValidText(body) || !utf8.ValidString(uuid) || !allUTF8(values) {
			require.Error(t, err, "invalid text is rejected, never corrupted")
			return
		}
		require.NoError(t, err)
		got, err := unmarshal(wire.body, wire.attrs, "fallback")
		require.NoError(t, err)
		require.True(t, sqsrules.ValidText(wire.attrs[sourceflow.MetaEnvelope]), "the packed envelope is valid attribute text")
		require.Equal(t, body, string(got.Payload))
		require.Equal(t, uuid, got.UUID)
		for i, k := range sourceflow.EnvelopeKeys() {
			require.Equal(t, values[i], got.Metadata.Get(k), k)
		}
	})
}

func allUTF8(vs []string) bool {
	for _, v := range vs {
		if !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

// The consume markers describe one delivery: never sent, dropped on arrival,
// so a message redriven from a DLQ is not taken for a permanent failure.
func TestConsumeMarkersNeverTravel(t *testing.T) {
	msg := message.NewMessage("m-1", []byte(`{}`))
	msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	msg.Metadata.Set(sourceflow.MetaFailure, "unknown type")
	msg.Metadata.Set(sourceflow.MetaDuplicate, "true")
	w, err := marshal(msg)
	require.NoError(t, err)
	assert.NotContains(t, w.attrs, sourceflow.MetaFailure)
	assert.NotContains(t, w.attrs, sourceflow.MetaDuplicate)

	redriven := map[string]string{
		sourceflow.MetaType:     "orders.CreateOrder",
		sourceflow.MetaFailure:  "cqrs: unknown message type",
		sourceflow.MetaEnvelope: `{"uuid":"m-2","sf_id":"m-2","sf_failure":"in the envelope"}`,
	}
	got, err := unmarshal(`{}`, redriven, "sqs-id")
	require.NoError(t, err)
	assert.Equal(t, "m-2", got.UUID)
	assert.Empty(t, got.Metadata.Get(sourceflow.MetaFailure))
	assert.Equal(t, "orders.CreateOrder", got.Metadata.Get(sourceflow.MetaType))
}
