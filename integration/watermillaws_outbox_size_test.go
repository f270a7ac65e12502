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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// SizedNote is an event whose size the test chooses.
type SizedNote struct {
	Text string `json:"text"`
}

// An event over SNS's 256 KiB, raised through the SQL outbox in front of
// watermill-aws, is dead-lettered by the outbox with a reason naming its
// size, the limit and the destination; the event raised after it for the
// same destination is delivered instead of waiting behind it for ever.
func TestWatermillAWSOutboxDeadLettersAnEventOverTheSNSLimit(t *testing.T) {
	t.Parallel()
	awsCfg := awsConfig(t)
	d, ctx := sourceflow.Postgres, context.Background()
	db := sqlbusDB(t, d, "SOURCEFLOW_POSTGRES_DSN")
	topic := strings.ReplaceAll(uniqueName("obx_wa_size", ""), "-", "_")
	dropOutboxTablesOf(t, d, db, topic)
	store := outageStore(t, d, db, db)
	dest := uniqueName("wa-size", "")
	opts := watermillAWSOptions{WaitTimeSeconds: 1, VisibilityTimeout: 5 * time.Second}

	runs := &ledger{}
	hearer := newWatermillAWSService(t, awsCfg, opts, cqrs.ServiceConfig{Name: "wa-size-hearer", Listen: []string{dest}})
	require.NoError(t, cqrs.RegisterEvent[SizedNote](hearer, "wa.SizedNote", dest))
	notes := cqrs.NewView[SizedNote](hearer, "notes")
	require.NoError(t, cqrs.Project(notes, func(_ context.Context, _ *SizedNote, _ SizedNote, env cqrs.Envelope) error {
		runs.add(hearer.Name(), "note", env)
		return nil
	}))
	inner, err := newWatermillAWSTransport(awsCfg, opts)
	require.NoError(t, err)
	box, err := outbox.New(outbox.Config{DB: db, Dialect: d, Transport: inner, Topic: topic})
	require.NoError(t, err)
	raiser, err := cqrs.NewService(cqrs.ServiceConfig{Name: "wa-size-raiser", Transport: box, CommandStore: store.Commands()})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, raiser.Close()); assert.NoError(t, box.Close()) })
	require.NoError(t, cqrs.RegisterEvent[SizedNote](raiser, "wa.SizedNote", dest))
	startModel(t, hearer, raiser)

	raise := func(entity, text string) cqrs.Envelope {
		var env cqrs.Envelope
		require.NoError(t, store.WithinTx(ctx, func(ctx context.Context) error {
			env, err = raiser.EventQueue().Raise(ctx, entity, SizedNote{Text: text})
			return err
		}))
		return env
	}
	big := raise("n-big", strings.Repeat("n", 300_000))
	next := raise("n-next", "fits")

	heard := func(id string) bool {
		return runs.count(func(h handled) bool { return h.Env.MessageID == id }) > 0
	}
	require.Eventually(t, func() bool { return heard(next.MessageID) }, snsPatience, 100*time.Millisecond,
		"the event behind the oversize one is delivered")
	var letters []cqrs.DeadLetter
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		letters, _, err = outbox.DeadLetters(ctx, outbox.Config{DB: db, Dialect: d, Topic: topic}, outbox.DeadLetterQuery{Max: 10})
		require.NoError(c, err)
		assert.Len(c, letters, 1)
	}, snsPatience, 100*time.Millisecond, "the oversize event is dead-lettered")
	assert.Regexp(t, `cqrs: nothing sent to "`+dest+`": sourceflow: message too large: message \S+ is \d+ bytes, the Pub/Sub accepts at most 262144`,
		letters[0].Reason)
	t.Logf("reason: %s", letters[0].Reason)
	assert.False(t, heard(big.MessageID), "the oversize event reached no one")
}

// newWatermillAWSService returns a service over a watermill-aws transport
// of its own, closed with it after the test.
func newWatermillAWSService(t *testing.T, awsCfg aws.Config, o watermillAWSOptions, cfg cqrs.ServiceConfig) *cqrs.Service {
	t.Helper()
	tr, err := newWatermillAWSTransport(awsCfg, o)
	require.NoError(t, err)
	cfg.Transport = tr
	svc, err := cqrs.NewService(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, svc.Close()); assert.NoError(t, tr.Close()) })
	return svc
}

// A message within MaxMessageBytes that SNS still refuses as too long, for
// the bytes watermill-aws adds (each attribute's data type, the UUID
// attribute), comes back marked permanent with SNS's reason.
func TestWatermillAWSMarksSNSTooLongPermanent(t *testing.T) {
	t.Parallel()
	events, err := watermillAWSEvents(awsConfig(t), watermillAWSOptions{Logger: watermill.NopLogger{}})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, events.Close()) })
	require.NoError(t, events.Bind(context.Background(), sourceflow.Binding{Service: "wa-size-edge"}))
	dest := uniqueName("wa-size-edge", "")
	pub, err := events.Publisher(dest)
	require.NoError(t, err)
	m := message.NewMessage(watermill.NewUUID(), nil)
	m.Metadata.Set("k", "v")
	m.Payload = []byte(strings.Repeat("n", watermillAWSMaxBytes-2)) // exactly the limit as MaxMessageBytes counts it
	err = pub.Publish(dest, m)
	require.Error(t, err, "SNS counts the data type and the UUID attribute too")
	assert.NotErrorIs(t, err, sourceflow.ErrMessageTooLarge, "within MaxMessageBytes")
	assert.True(t, sourceflow.IsPermanent(err), "SNS's refusal is for good: %v", err)
	assert.Contains(t, err.Error(), "Message too long")
}
