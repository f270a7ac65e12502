package cli_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// hopsOf returns the hop count of each message of queue, an attribute of
// its own or packed in sf_env ("" for none), by message id.
func hopsOf(t *testing.T, e *dlqEnv, queue string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range e.messages(queue) {
		md, uuid, err := awsbus.UnpackAttributes(m.Attributes, m.ID)
		require.NoError(t, err)
		out[uuid] = md[sourceflow.MetaHops]
	}
	return out
}

// dlq redrive --reset-hops copies each message without its hop count,
// whether an attribute of its own or packed in sf_env, keeping the rest;
// without the flag the count goes back with the message.
func TestDLQRedriveResetHops_CopiesWithoutTheHopCount(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
		hops string
	}{
		{[]string{"--reset-hops"}, "by copy (--reset-hops: only a copy changes a message)", ""},
		{[]string{"--method", "copy"}, "by copy (--method copy)", "64"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			e := newDLQEnv(t)
			e.put(t, "orders-order-events-dlq", letter{id: "own", typ: "orders.OrderCreated", entity: "o", reason: "hop limit", body: "{}", hops: "64"})
			e.put(t, "orders-order-events-dlq", letter{id: "packed", typ: "orders.OrderCreated", entity: "o", reason: "hop limit", body: "{}",
				hops: "64", packedHops: true})

			out, errOut, code := e.run(t, append([]string{"dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq"}, tt.args...)...)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, tt.want)
			assert.Equal(t, map[string]string{"own": tt.hops, "packed": tt.hops}, hopsOf(t, e, "orders-order-events"))
			assert.ElementsMatch(t, []string{"orders.OrderCreated", "orders.OrderCreated"}, typesOf(t, e.messages("orders-order-events")))
		})
	}
}

// An encrypted message redriven with --reset-hops decrypts: the hop count
// is not authenticated by the encryption header.
func TestDLQRedriveResetHops_KeepsAnEncryptedMessageReadable(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "enc", typ: "orders.CreateOrder", entity: "o-1", reason: "hop limit",
		body: `{"card":"secret"}`, encryptFor: "orders.fifo", hops: "64"})

	_, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-dlq.fifo", "--reset-hops")

	require.Equal(t, cli.ExitOK, code, errOut)
	moved := e.messages("orders.fifo")
	require.Len(t, moved, 1)
	md, uuid, err := awsbus.UnpackAttributes(moved[0].Attributes, moved[0].ID)
	require.NoError(t, err)
	assert.NotContains(t, md, sourceflow.MetaHops)
	msg := message.NewMessage(uuid, []byte(moved[0].Body))
	msg.Metadata = md
	dec, err := encryption.NewDecrypter(e.kms, encryption.DecrypterConfig{})
	require.NoError(t, err)
	require.NoError(t, dec.Decrypt(context.Background(), "orders.fifo", msg))
	var body map[string]string
	require.NoError(t, json.Unmarshal(msg.Payload, &body))
	assert.Equal(t, "secret", body["card"])
}

// --reset-hops with --method native is refused before anything moves: a
// move task moves messages unchanged.
func TestDLQRedriveResetHops_RefusesTheNativeMethod(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-order-events-dlq", letter{id: "m1", typ: "orders.OrderCreated", entity: "o", reason: "boom", body: "{}", hops: "64"})

	_, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--reset-hops", "--method", "native")

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "--reset-hops: the native method (an SQS message move task) moves each message unchanged, "+
		"its hop count (sf_hops) included; use --method copy, or leave --method out")
	assert.Len(t, e.messages("orders-order-events-dlq"), 1)
}
