//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A service that subscribes to another account's topic of another region,
// named by ARN: its exported template declares no topic, subscribes in
// the topic's region, passes cfn-lint and deploys, the topic then has the
// service's event queue as a subscriber with raw delivery and without a
// redrive policy (SNS redrives only to a queue of the subscription's
// region, and the dead-letter queue is in the stack's), and validate finds
// no drift.
func TestCrossAccountExportSubscribesToTheTopicOfAnotherAccount(t *testing.T) {
	prefix := uniqueName("xacct-iac", "-")
	topic, err := accountClients(t, ordersAccount, ordersRegion).sns.CreateTopic(context.Background(),
		&sns.CreateTopicInput{Name: aws.String(prefix + "events")})
	require.NoError(t, err)
	topicARN := aws.ToString(topic.TopicArn)
	file, err := topology.NewFile(sourceflow.Binding{Service: prefix + "billing",
		Listeners: []sourceflow.Listener{{Destination: topicARN, Kind: sourceflow.KindEvent, Types: []string{"orders.OrderPlaced"}}}},
		topology.Options{})
	require.NoError(t, err)
	path, template, text := exportTemplate(t, file)
	assert.Contains(t, string(text), "TopicArn: "+topicARN)
	assert.Contains(t, string(text), "Region: "+ordersRegion)
	assert.NotContains(t, string(text), "AWS::SNS::Topic\n")
	cfnLint(t, template, false)

	deployStack(t, strings.TrimSuffix(prefix, "-")+"-stack", template, prefix, "")
	owner := accountClients(t, ordersAccount, ordersRegion)
	subs, err := owner.sns.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
	require.NoError(t, err)
	require.Len(t, subs.Subscriptions, 1)
	assert.True(t, strings.HasSuffix(aws.ToString(subs.Subscriptions[0].Endpoint), ":"+prefix+"billing-"+prefix+"events"),
		"billing's event queue: %s", aws.ToString(subs.Subscriptions[0].Endpoint))
	attrs, err := owner.sns.GetSubscriptionAttributes(context.Background(),
		&sns.GetSubscriptionAttributesInput{SubscriptionArn: subs.Subscriptions[0].SubscriptionArn})
	require.NoError(t, err)
	assert.Equal(t, "true", attrs.Attributes["RawMessageDelivery"])
	assert.Empty(t, attrs.Attributes["RedrivePolicy"], "a dead-letter queue of %s for a subscription in %s", billingRegion, ordersRegion)
	out, errOut, code := runCLI(t, "validate", "-f", path)
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "No drift")
}
