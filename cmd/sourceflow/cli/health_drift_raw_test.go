package cli_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// setSubscriptionsAttribute sets attribute name to value on every
// subscription of the fake's topic.
func setSubscriptionsAttribute(t *testing.T, fake *fakeAWS, topic, name, value string) {
	t.Helper()
	arn := "arn:aws:sns:" + fake.sqs.Region() + ":" + fake.sqs.AccountID() + ":" + topic
	subs, err := fake.sns.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	require.NotEmpty(t, subs.Subscriptions)
	for _, s := range subs.Subscriptions {
		_, err := fake.sns.SetSubscriptionAttributes(context.Background(), &sns.SetSubscriptionAttributesInput{
			SubscriptionArn: s.SubscriptionArn, AttributeName: aws.String(name), AttributeValue: aws.String(value),
		})
		require.NoError(t, err)
	}
}

// A subscription without RawMessageDelivery hands every message to the
// queue wrapped in SNS's JSON envelope, which no consumer decodes: no
// message moves, so health reports the service down, not degraded, and
// says to apply.
func TestHealthReportsASubscriptionWithoutRawDeliveryDown(t *testing.T) {
	fake, path := appliedOrders(t)
	setSubscriptionsAttribute(t, fake, "order-events", "RawMessageDelivery", "false")

	out, errOut, code := fake.run(t, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, out+errOut)
	assert.Regexp(t, `subscription\s+order-events -> \S+\s+down\s+RawMessageDelivery differs`, out)
	assert.Contains(t, out, "Service orders: down (9 checks, 1 drift)")
	assert.Contains(t, errOut, "service orders is down: ")
	assert.Contains(t, errOut, "`sourceflow apply -f "+path+"` to fix it")
}

// health --output json has drift as an array on every run, empty when
// there is none, so a script's `jq '.drift[]'` reads a healthy run as it
// does one with drift, and never finds null.
func TestHealthJSONHasAnEmptyDriftArrayWhenUp(t *testing.T) {
	fake, path := appliedOrders(t)

	out, errOut, code := fake.run(t, "health", "-f", path, "--output", "json")

	require.Equal(t, cli.ExitOK, code, out+errOut)
	var rep map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.JSONEq(t, `[]`, string(rep["drift"]), out)
}
