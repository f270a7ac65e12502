package topology_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// The subscription attribute calls are granted on the subscriptions of the
// topics the service subscribes to, on the topic's ARN and on
// "<topic ARN>:*" (a subscription's ARN being its topic's and an id),
// never on every subscription of the account: a service may not rewrite the filter policy of another
// service's subscription to a topic it does not listen to.
func TestNewIAMPolicy_SubscriptionAttributesOnlyOnTheSubscribedTopics(t *testing.T) {
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)
	topic := "arn:aws:sns:eu-west-1:" + testAccount + ":payment-events"
	want := []string{topic, topic + ":*"}
	for mode, actions := range map[topology.Provisioning][]string{
		topology.ProvisionCreate:   {"sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"},
		topology.ProvisionValidate: {"sns:GetSubscriptionAttributes"},
	} {
		pol, err := topology.NewIAMPolicy(p, topology.IAMConfig{AccountID: testAccount, Region: "eu-west-1", Provisioning: mode})
		require.NoError(t, err)
		for _, action := range actions {
			var resources []string
			for _, s := range pol.Statement {
				if slices.Contains(s.Action, action) {
					resources = append(resources, s.Resource...)
				}
			}
			assert.ElementsMatch(t, want, resources, "%s in %s mode", action, mode)
		}
	}
}
