package topology_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// The SNS service authorization reference defines one resource type, the
// topic (arn:<partition>:sns:<region>:<account>:<topic name>), and lists
// it for sns:GetSubscriptionAttributes and SetSubscriptionAttributes; it
// defines no subscription resource. Whichever of the topic's ARN and the
// subscription's ARN IAM evaluates these calls on, the policy must let the
// service read and set the attributes of its subscriptions to the topics
// it listens to, and still not those of another topic.
func TestNewIAMPolicy_SubscriptionAttributesAllowedOnTheListenedTopicsARN(t *testing.T) {
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)
	topic := "arn:aws:sns:eu-west-1:" + testAccount + ":payment-events"
	other := "arn:aws:sns:eu-west-1:" + testAccount + ":someone-elses-events"
	for mode, actions := range map[topology.Provisioning][]string{
		topology.ProvisionCreate:   {"sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"},
		topology.ProvisionValidate: {"sns:GetSubscriptionAttributes"},
	} {
		pol, err := topology.NewIAMPolicy(p, topology.IAMConfig{AccountID: testAccount, Region: "eu-west-1", Provisioning: mode})
		require.NoError(t, err)
		for _, action := range actions {
			granted := func(arn string) bool {
				return slices.ContainsFunc(pol.Statement, func(s topology.IAMStatement) bool {
					return slices.Contains(s.Action, action) && slices.ContainsFunc(s.Resource, func(r string) bool { return allows(r, arn) })
				})
			}
			assert.True(t, granted(topic), "%s in %s mode on the topic's ARN", action, mode)
			assert.True(t, granted(topic+":0b4c5d6e-1111-2222-3333-444455556666"), "%s in %s mode on a subscription's ARN", action, mode)
			assert.False(t, granted(other), "%s in %s mode on a topic not listened to", action, mode)
		}
	}
}
