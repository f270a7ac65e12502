package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// The note of the default create-mode policy names the attribute calls the
// policy grants, where it grants them: sns:SetTopicAttributes on the
// topics the service publishes to (every topic with a key), none for a
// service that only listens to topics without a key, and
// sns:SetSubscriptionAttributes only for a service listening to a topic.
func TestIAMPolicy_NoteNamesWhereTheAttributeCallsAreGranted(t *testing.T) {
	t.Setenv("AWS_ACCOUNT_ID", iamAccount)
	listener := sourceflow.Binding{Service: "audit", Listeners: []sourceflow.Listener{
		{Destination: "payment-events", Kind: sourceflow.KindEvent, Types: []string{"payments.PaymentProcessed"}},
	}}
	for _, tc := range []struct {
		name       string
		binding    sourceflow.Binding
		opts       topology.Options
		has, lacks []string
	}{
		{"publishes to both topics", paymentsBinding(), topology.Options{},
			[]string{"sns:SetTopicAttributes on the topics order-events, payment-events"}, []string{"sns:SetSubscriptionAttributes"}},
		{"listens only", listener, topology.Options{},
			[]string{"sns:SetSubscriptionAttributes on the subscriptions of the topics it listens to"}, []string{"sns:SetTopicAttributes"}},
		{"listens only, with a key", listener, topology.Options{KMSKeyID: "alias/orders"},
			[]string{"sns:SetTopicAttributes on the topic payment-events", "sns:SetSubscriptionAttributes"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTopology(t, tc.binding, tc.opts)
			_, errOut, code := newFakeAWS().run(t, "iam-policy", "-f", path, "--region", "eu-west-1")
			require.Equal(t, cli.ExitOK, code, errOut)
			for _, s := range tc.has {
				assert.Contains(t, errOut, s)
			}
			for _, s := range tc.lacks {
				assert.NotContains(t, errOut, s)
			}
		})
	}
}
