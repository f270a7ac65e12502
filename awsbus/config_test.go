package awsbus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// configCase changes a valid Config and lists what Validate must report.
type configCase struct {
	name   string
	modify func(c *awsbus.Config)
	want   []string // substrings, each must appear
}

// optionConfigCases cover the options and the KMS key.
func optionConfigCases() []configCase {
	return []configCase{
		{name: "negative concurrency", modify: func(c *awsbus.Config) { c.MaxConcurrentCalls = -1 }, want: []string{"MaxConcurrentCalls"}},
		{name: "wait time above 20s", modify: func(c *awsbus.Config) { c.WaitTime = 21 * time.Second }, want: []string{"WaitTime"}},
		{name: "negative wait time", modify: func(c *awsbus.Config) { c.WaitTime = -time.Second }, want: []string{"WaitTime"}},
		{name: "fractional wait time is rounded up", modify: func(c *awsbus.Config) { c.WaitTime = 1500 * time.Millisecond }},
		{name: "zero values take defaults", modify: func(c *awsbus.Config) { *c = awsbus.Config{} }},
		{name: "nack backoff above 12h", modify: func(c *awsbus.Config) { c.NackBackoff = 13 * time.Hour }, want: []string{"NackBackoff"}},
		{name: "call timeout below 1s", modify: func(c *awsbus.Config) { c.CallTimeout = time.Millisecond }, want: []string{"CallTimeout"}},
		{name: "visibility above 12h", modify: func(c *awsbus.Config) { c.VisibilityTimeout = 13 * time.Hour }, want: []string{"VisibilityTimeout"}},
		{name: "negative visibility", modify: func(c *awsbus.Config) { c.VisibilityTimeout = -time.Second }, want: []string{"VisibilityTimeout"}},
		{name: "max receive count 0 is default", modify: func(c *awsbus.Config) { c.MaxReceiveCount = 0 }},
		{name: "max receive count above 1000", modify: func(c *awsbus.Config) { c.MaxReceiveCount = 1001 }, want: []string{"MaxReceiveCount"}},
		{name: "negative max receive count", modify: func(c *awsbus.Config) { c.MaxReceiveCount = -3 }, want: []string{"MaxReceiveCount"}},
		{name: "negative shutdown timeout", modify: func(c *awsbus.Config) { c.ShutdownTimeout = -time.Second }, want: []string{"ShutdownTimeout"}},
		{name: "unknown provisioning", modify: func(c *awsbus.Config) { c.Provisioning = 9 }, want: []string{"Provisioning"}},
		{name: "reserved tag", modify: func(c *awsbus.Config) { c.Tags = map[string]string{"aws:team": "x"} },
			want: []string{`Tags: tag key "aws:team": the prefix aws: is reserved`}},
		{name: "tags", modify: func(c *awsbus.Config) { c.Tags = map[string]string{"team": "checkout"} }},
		{name: "short account id", modify: func(c *awsbus.Config) { c.AccountID = "12345" }, want: []string{`AccountID: "12345", want 12 digits`}},
		{name: "account id", modify: func(c *awsbus.Config) { c.AccountID = "000000000000" }},
		{name: "encryption with bad key", modify: func(c *awsbus.Config) {
			c.KMSKeyID = "my key"
		}, want: []string{"KMSKeyID", "my key"}},
		{name: "key id", modify: func(c *awsbus.Config) {
			c.KMSKeyID = "1234abcd-12ab-34cd-56ef-1234567890ab"
		}},
		{name: "multi-region key id", modify: func(c *awsbus.Config) {
			c.KMSKeyID = "mrk-1234abcd12ab34cd56ef1234567890ab"
		}},
		{name: "alias", modify: func(c *awsbus.Config) { c.KMSKeyID = "alias/sourceflow" }},
		{name: "key arn", modify: func(c *awsbus.Config) {
			c.KMSKeyID = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		}},
		{name: "alias arn", modify: func(c *awsbus.Config) {
			c.KMSKeyID = "arn:aws:kms:us-east-1:111122223333:alias/sourceflow"
		}},
	}
}

func TestConfig_Validate(t *testing.T) {
	for _, tt := range optionConfigCases() {
		t.Run(tt.name, func(t *testing.T) {
			c := awsbus.Config{}
			tt.modify(&c)
			err := c.Validate()
			if len(tt.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, awsbus.ErrInvalidConfig)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestConfig_ValidateReportsEveryProblem(t *testing.T) {
	c := awsbus.Config{MaxReceiveCount: 2000, KMSKeyID: "my key"}
	c.WaitTime, c.MaxConcurrentCalls = time.Minute, -1

	err := c.Validate()

	require.Error(t, err)
	for _, field := range []string{"MaxConcurrentCalls", "MaxReceiveCount", "WaitTime", "KMSKeyID"} {
		assert.Contains(t, err.Error(), field)
	}
	var joined interface{ Unwrap() []error }
	require.True(t, errors.As(err, &joined), "errors are joined")
}

// The consumer settings are declared once: Config and SubscriberConfig
// take the same defaults and ranges from ConsumerConfig.
func TestConsumerConfig_OneSetOfDefaultsAndRanges(t *testing.T) {
	resolve := func(string) (topology.Endpoint, error) { return topology.Endpoint{}, nil }
	sq := awsbustest.NewSQS(awsbustest.SQSConfig{})
	for _, cc := range []awsbus.ConsumerConfig{
		{WaitTime: 21 * time.Second}, {VisibilityTimeout: 13 * time.Hour}, {ShutdownTimeout: -time.Second},
		{MaxConcurrentCalls: -1}, {NackBackoff: 13 * time.Hour},
	} {
		cfgErr := awsbus.Config{ConsumerConfig: cc}.Validate()
		_, subErr := awsbus.NewSubscriber(awsbus.SubscriberConfig{SQS: sq, Resolve: resolve, ConsumerConfig: cc})
		require.Error(t, cfgErr, "%+v", cc)
		require.Error(t, subErr, "%+v", cc)
		assert.ErrorIs(t, subErr, awsbus.ErrInvalidConfig)
	}
	assert.Equal(t, 30*time.Second, awsbus.DefaultShutdownTimeout)
	assert.NoError(t, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{WaitTime: 1500 * time.Millisecond}}.Validate())
	_, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{SQS: sq, Resolve: resolve,
		ConsumerConfig: awsbus.ConsumerConfig{WaitTime: 1500 * time.Millisecond}})
	assert.NoError(t, err)
}

// KMSKeyID alone turns encryption on: the bound plan carries the key, so
// tools that render it (the topology file, an IAM policy) see it, and the
// queues Bind creates are encrypted at rest with it instead of with
// SQS-managed keys. Without a key the queues get SQS-managed encryption.
func TestConfig_KMSKeyIDEncryptsTheQueuesAtRest(t *testing.T) {
	on, onSQS := fakeTransport(t, awsbus.Config{KMSKeyID: "alias/orders"})
	off, offSQS := fakeTransport(t, awsbus.Config{})

	assert.Equal(t, "alias/orders", on.Plan().KMSKeyID)
	assert.Empty(t, off.Plan().KMSKeyID)
	atRest := func(sq *awsbustest.SQS) map[string]string {
		out, err := sq.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(sq.QueueURL("orders.fifo")), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
		})
		require.NoError(t, err)
		return out.Attributes
	}
	assert.Equal(t, "alias/orders", atRest(onSQS)["KmsMasterKeyId"])
	assert.Equal(t, "false", atRest(onSQS)["SqsManagedSseEnabled"])
	assert.Empty(t, atRest(offSQS)["KmsMasterKeyId"])
	assert.Equal(t, "true", atRest(offSQS)["SqsManagedSseEnabled"])
}
