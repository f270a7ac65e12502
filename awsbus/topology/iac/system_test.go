package iac_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// renderers are both outputs, for checks that hold for each.
var renderers = map[string]func(...topology.Plan) ([]byte, error){
	"cloudformation": iac.CloudFormation,
	"terraform":      iac.Terraform,
}

func TestTwoConsumersOfOneQueueWithDifferentSettingsConflict(t *testing.T) {
	a := shippingPlan(t, topology.Options{})
	b := shippingPlan(t, topology.Options{MaxReceiveCount: 3})
	b.Service = "shipping-eu"
	for name, render := range renderers {
		_, err := render(a, b)
		require.ErrorIs(t, err, iac.ErrConflict, name)
		assert.Contains(t, err.Error(), `queue "shipping-order-events"`, name)
		assert.Contains(t, err.Error(), `"shipping" and "shipping-eu"`, name)
	}
}

func TestASenderDoesNotOverrideTheConsumersQueueSettings(t *testing.T) {
	plans := examplePlans(t) // orders sends to payments.fifo, which payments consumes
	var payments topology.Plan
	for i := range plans {
		if plans[i].Service == "orders" {
			for j := range plans[i].Queues {
				if plans[i].Queues[j].Name == "payments.fifo" {
					plans[i].Queues[j].MaxReceiveCount = 99 // the sender's view must not win
				}
			}
		} else {
			payments = plans[i]
		}
	}
	tpl := parseTemplate(t, must(iac.CloudFormation(plans...)))
	_, q := tpl.byName("AWS::SQS::Queue", "QueueName", "payments.fifo")
	require.NotNil(t, q)
	want := payments.Queues[0].MaxReceiveCount
	assert.Equal(t, want, q["RedrivePolicy"].(map[string]any)["maxReceiveCount"])
}

func TestAServicePassedTwiceIsAnError(t *testing.T) {
	p := shippingPlan(t, topology.Options{})
	for name, render := range renderers {
		_, err := render(p, p)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), `service "shipping": two plans`, name)
		_, err = render()
		require.Error(t, err, name)
	}
}

func TestAnAttributeWithNoInfrastructureFormIsAnError(t *testing.T) {
	p := shippingPlan(t, topology.Options{})
	p.Queues[0].Attributes["Colour"] = "blue"
	for name, render := range renderers {
		_, err := render(p)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), `queue "shipping-order-events": attribute Colour has no infrastructure-code form`, name)
	}
	p = shippingPlan(t, topology.Options{})
	p.Queues[0].Attributes["VisibilityTimeout"] = "soon"
	_, err := iac.Terraform(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "attribute VisibilityTimeout")
}

func TestOnlyAKeyNamedByACustomerAliasIsCreated(t *testing.T) {
	cases := map[string]bool{
		"alias/shipping": true,
		"arn:aws:kms:eu-west-1:111122223333:alias/shipping": true,
		"alias/aws/sqs":                        false, // AWS-managed
		"1234abcd-12ab-34cd-56ef-1234567890ab": false,
		"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab": false,
		"": false,
	}
	for keyID, created := range cases {
		p := shippingPlan(t, topology.Options{KMSKeyID: keyID})
		tpl := parseTemplate(t, must(iac.CloudFormation(p)))
		id, _ := tpl.byName("AWS::KMS::Alias", "AliasName", "alias/shipping")
		assert.Equal(t, created, id != "", "key %q", keyID)
		tf := string(must(iac.Terraform(p)))
		assert.Equal(t, created, strings.Contains(tf, `resource "aws_kms_key" "shipping"`), "key %q", keyID)
	}
}

func TestNamesThatDifferOnlyInPunctuationGetTheirOwnResources(t *testing.T) {
	a := shippingPlan(t, topology.Options{})
	b := a
	b.Service = "other"
	b.Queues = []topology.Queue{a.Queues[0], a.Queues[0]}
	b.Queues[0].Name, b.Queues[0].DLQ = "work-a", "work-a-dlq"
	b.Queues[1].Name, b.Queues[1].DLQ = "work.a", "work.a-dlq"
	b.Subscriptions, b.Policies, b.Topics = nil, nil, nil
	tpl := parseTemplate(t, must(iac.CloudFormation(b)))
	assert.Len(t, tpl.Resources, 4, "two queues and two dead-letter queues")
	blocks := parseTerraform(t, must(iac.Terraform(b)))
	var queues int
	for key := range blocks {
		if strings.HasPrefix(key, "resource aws_sqs_queue ") {
			queues++
		}
	}
	assert.Equal(t, 4, queues)
}
