//go:build integration

package cli_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// refusingTransport refuses every message for good, so the outbox keeps
// each as a dead letter with the reason reason.
type refusingTransport struct{ reason string }

func (r refusingTransport) Bind(context.Context, sourceflow.Binding) error { return nil }
func (r refusingTransport) Subscriber(string) (message.Subscriber, error)  { return nil, nil }
func (r refusingTransport) Publisher(string) (message.Publisher, error) {
	return refusingPublisher(r), nil
}
func (r refusingTransport) Close() error { return nil }

type refusingPublisher struct{ reason string }

func (p refusingPublisher) Publish(string, ...*message.Message) error {
	return sourceflow.Permanent(errors.New(p.reason))
}
func (p refusingPublisher) Close() error { return nil }

// deadLetteredOutbox writes ids through a real Outbox "payments" whose inner
// transport refuses them with reason, and waits until all are dead
// letters; it returns the table prefix.
func deadLetteredOutbox(t *testing.T, api *dynamodb.Client, typ, reason string, ids ...string) string {
	t.Helper()
	return deadLetteredOutboxOf(t, api, typ, reason, []byte("{}"), ids...)
}

// deadLetteredOutboxOf is deadLetteredOutbox with payload as each
// message's, written 100 messages to a transaction.
func deadLetteredOutboxOf(t *testing.T, api *dynamodb.Client, typ, reason string, payload []byte, ids ...string) string {
	t.Helper()
	return deadLetteredOutboxThrough(t, api, refusingTransport{reason}, typ, payload, nil, ids...)
}

// deadLetteredOutboxWith is deadLetteredOutboxOf with md added to each
// message's metadata.
func deadLetteredOutboxWith(t *testing.T, api *dynamodb.Client, typ, reason string, payload []byte, md map[string]string, ids ...string) string {
	t.Helper()
	return deadLetteredOutboxThrough(t, api, refusingTransport{reason}, typ, payload, md, ids...)
}

// deadLetteredOutboxThrough is deadLetteredOutboxWith whose inner
// transport is refusing, which must refuse every message for good.
func deadLetteredOutboxThrough(t *testing.T, api *dynamodb.Client, refusing cqrs.Transport, typ string, payload []byte,
	md map[string]string, ids ...string) string {
	t.Helper()
	ctx := context.Background()
	prefix := dynamotest.Prefix()
	st, err := dynamostore.New(ctx, dynamostore.Config{Client: api, TablePrefix: prefix})
	require.NoError(t, err)
	for _, tb := range append(st.Tables(), dynamostore.OutboxTable(dynamostore.Config{TablePrefix: prefix})) {
		dynamotest.DropTables(t, api, tb.Name)
	}
	o, err := dynamostore.NewOutbox(ctx, st, dynamostore.OutboxConfig{Transport: refusing, Name: "payments", RelayAfter: time.Second, SweepInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, o.Bind(ctx, sourceflow.Binding{}))
	pub, err := o.Publisher("payments.fifo")
	require.NoError(t, err)
	for batch := range slices.Chunk(ids, 100) {
		require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
			for _, id := range batch {
				m := message.NewMessage(id, payload)
				m.Metadata.Set(sourceflow.MetaType, typ)
				maps.Copy(m.Metadata, md)
				m.SetContext(ctx)
				if err := pub.Publish("payments.fifo", m); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	// The messages of a transaction share a shard and are dead-lettered one
	// after another (claim, publish, move: three writes each), and a claim
	// the emulator answers past the publish's time (two thirds of the 1 s
	// lease) is released and tried again by a later sweep: on a loaded
	// machine that takes a while, not for ever.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		dead, err := o.DeadLetters(ctx, dynamostore.OutboxDeadLetterQuery{Max: len(ids) + 1})
		assert.NoError(c, err)
		assert.Len(c, dead, len(ids))
	}, 45*time.Second, 50*time.Millisecond)
	require.NoError(t, o.Close(), "no sweep relays a redriven message while the test reads it")
	return prefix
}

// runDynamo runs the command line args with api as the DynamoDB client.
func runDynamo(t *testing.T, api *dynamodb.Client, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	f := newFakeAWS()
	cfg, out, errOut := f.config("")
	clients := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := clients(ctx)
		c.DynamoDB = api
		return c, err
	}
	code = cli.Run(context.Background(), cfg, args)
	return out.String(), errOut.String(), code
}

func TestDynamo_ListsSummarizesRedrivesAndMeasuresAnOutboxsDeadLetters(t *testing.T) {
	api := dynamotest.Client(t)
	prefix := deadLetteredOutbox(t, api, "orders.Refund", "refused for good", "m-1", "m-2", "m-3")
	target := []string{"--table-prefix", prefix, "--outbox", "payments"}

	out, errOut, code := runDynamo(t, api, append([]string{"dynamo", "dead-letters", "--max", "2"}, target...)...)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "at least 3 dead letters of outbox payments", out)
	assert.Contains(t, out, "the oldest 2 shown (raise --max)")
	assert.Regexp(t, `m-1\s+orders.Refund\s+payments.fifo\s+publish to "payments.fifo": refused for good\s+\d+s`, out)
	assert.NotContains(t, out, "m-3")

	out, errOut, code = runDynamo(t, api, append([]string{"dynamo", "dead-letters", "--summary"}, target...)...)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "3 dead letters of outbox payments")
	assert.Regexp(t, `orders.Refund\s+3`, out)
	assert.Regexp(t, `publish to "payments.fifo": refused for good\s+3`, out)

	out, errOut, code = runDynamo(t, api, append([]string{"dynamo", "depth"}, target...)...)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "0 messages waiting (the oldest -), 3 dead letters.")

	out, errOut, code = runDynamo(t, api, append([]string{"dynamo", "redrive"}, target...)...)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "3 dead letters of outbox payments")
	assert.Contains(t, out, "Nothing moved: add --yes")

	out, errOut, code = runDynamo(t, api, append([]string{"dynamo", "redrive", "--yes"}, target...)...)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Redrove 3 dead letters of outbox payments.")

	out, errOut, code = runDynamo(t, api, append([]string{"dynamo", "depth", "-o", "json"}, target...)...)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, `"waiting": 3`, "redriven messages wait in their shard again")
	assert.NotContains(t, out, `"dead_letters": 1`)
}

// A type and a reason hold what a terminal acts on: the outbox keeps an
// ESC of a reason as U+FFFD, but a C1 CSI (U+009B) and a new line as they
// are, and a type as the sender set it.
func TestDynamo_EscapesATerminalSequenceInATypeAndAReason(t *testing.T) {
	api := dynamotest.Client(t)
	prefix := deadLetteredOutbox(t, api, "orders.\x1b[2JRefund", "bad\u009b2J\nforged line", "m-1")

	for _, args := range [][]string{{}, {"--summary"}} {
		out, errOut, code := runDynamo(t, api, append([]string{"dynamo", "dead-letters", "--table-prefix", prefix, "--outbox", "payments"}, args...)...)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, `orders.\x1b[2JRefund`, args)
		assert.Contains(t, out, `bad\u009b2J`, args)
		assert.NotContains(t, out, "\x1b", args)
		assert.NotContains(t, out, "\u009b", args)
		assert.NotContains(t, out, "\nforged line", args)
	}
}

func TestDynamo_MissingTableExitsTwoAndCreatesNone(t *testing.T) {
	api := dynamotest.Client(t)
	prefix := dynamotest.Prefix()

	_, errOut, code := runDynamo(t, api, "dynamo", "depth", "--table-prefix", prefix, "--outbox", "payments")
	assert.Equal(t, cli.ExitUsage, code, errOut)
	assert.Contains(t, errOut, "this command creates no table")
	_, err := api.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: new(prefix + "outbox")})
	assert.Error(t, err, "no table created")
}
