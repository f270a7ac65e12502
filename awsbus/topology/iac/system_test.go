package iac_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// renderers are both outputs, for checks that hold for each.
var renderers = map[string]func(...topology.Plan) ([]byte, error){
	"cloudformation": iac.CloudFormation,
	"terraform":      iac.Terraform,
}

func TestTwoServicesConsumingOneQueueConflict(t *testing.T) {
	a := shippingPlan(t, topology.Options{})
	b := shippingPlan(t, topology.Options{}) // same settings: still two consumers
	b.Service = "shipping-eu"
	for name, render := range renderers {
		_, err := render(a, b)
		require.ErrorIs(t, err, iac.ErrConflict, name)
		assert.Contains(t, err.Error(), `queue "shipping-order-events": services "shipping" and "shipping-eu" both consume it`, name)
	}
}

func TestAQueueNamedLikeAnotherQueuesDeadLetterQueueConflicts(t *testing.T) {
	a := shippingPlan(t, topology.Options{})
	b := shippingPlan(t, topology.Options{})
	b.Service = "audit"
	b.Queues[0].Name, b.Queues[0].DLQ = a.Queues[0].DLQ, a.Queues[0].DLQ+"-dlq"
	b.Subscriptions, b.Policies = nil, nil
	_, err := iac.CloudFormation(a, b)
	require.ErrorIs(t, err, iac.ErrConflict)
	assert.Contains(t, err.Error(), `queue "shipping-order-events-dlq" of service "audit" is named like the dead-letter queue of queue "shipping-order-events" of service "shipping"`)
}

func TestUnconsumedListsTheQueuesNoExportedServiceConsumes(t *testing.T) {
	plans := examplePlans(t)
	assert.Equal(t, []string{"payments.fifo"}, iac.Unconsumed(plans[0]), "orders sends to payments.fifo")
	assert.Empty(t, iac.Unconsumed(plans...))
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
		"arn:aws:kms:eu-west-1:111122223333:alias/shipping": false, // a key of one account and region
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

// handPlan is a plan of queues (each with its dead-letter queue), topics
// and event queues subscribed to them, named freely.
func handPlan(service string, queues []string, subs map[string]string) topology.Plan {
	p := topology.Plan{Service: service}
	add := func(name string) {
		p.Queues = append(p.Queues, topology.Queue{Name: name, Owned: true, DLQ: name + "-dlq", MaxReceiveCount: 8,
			Attributes: map[string]string{"VisibilityTimeout": "30"}, DLQAttributes: map[string]string{"MessageRetentionPeriod": "1209600"}})
	}
	for _, q := range queues {
		add(q)
	}
	for topic, queue := range subs {
		add(queue)
		p.Topics = append(p.Topics, topology.Topic{Name: topic, Attributes: map[string]string{}})
		// the service publishes to the topic: its policy is rendered
		p.Destinations = append(p.Destinations, topology.Destination{Name: topic, Kind: sourceflow.KindEvent, Topic: topic, Routed: true})
		dlq := topology.DLQName(queue)
		p.Subscriptions = append(p.Subscriptions, topology.Subscription{Topic: topic, Queue: queue, DLQ: dlq})
		p.Policies = append(p.Policies, topology.Policy{Queue: queue, Topics: []string{topic}},
			topology.Policy{Queue: dlq, Topics: []string{topic}})
	}
	return p
}

func TestNamesThatDifferOnlyInPunctuationGetTheirOwnResources(t *testing.T) {
	p := handPlan("work", []string{"work-a", "work_a"}, nil)
	tpl := parseTemplate(t, must(iac.CloudFormation(p)))
	assert.Len(t, tpl.Resources, 8, "two queues, two dead-letter queues and a policy of each")
	blocks := parseTerraform(t, must(iac.Terraform(p)))
	var queues int
	for key := range blocks {
		if strings.HasPrefix(key, "resource aws_sqs_queue ") {
			queues++
		}
	}
	assert.Equal(t, 4, queues)
}

func TestIDsOfDifferentTypesNeverMeet(t *testing.T) {
	// Each name below would give a prefix-based scheme one id for two resources.
	p := handPlan("x", []string{"x-queue", "policy-x", "x-key"}, map[string]string{"x": "x", "x-queue": "q"})
	tpl := parseTemplate(t, must(iac.CloudFormation(p)))
	// 5 queues and their dead-letter queues, a policy of each, 2 topics and
	// their policies, 2 subscriptions.
	assert.Len(t, tpl.Resources, 26)
}

func TestIDsDoNotChangeWhenMoreServicesAreExported(t *testing.T) {
	plans := examplePlans(t)
	alone := parseTemplate(t, must(iac.CloudFormation(plans[0])))
	all := parseTemplate(t, must(iac.CloudFormation(append(plans, shippingPlan(t, topology.Options{}))...)))
	var compared int
	for id, r := range alone.Resources {
		if other, ok := all.Resources[id]; ok && other.Type == r.Type {
			compared++
			continue
		}
		t.Errorf("%s (%s) is renamed when payments and shipping are exported too", id, r.Type)
	}
	assert.Greater(t, compared, 15)
}

func TestLongNamesGetIDsWithinTheLimits(t *testing.T) {
	topic := strings.Repeat("t", 240)
	queue := strings.Repeat("q", 76)
	p := handPlan("long", nil, map[string]string{topic: queue})
	tpl := parseTemplate(t, must(iac.CloudFormation(p)))
	for id := range tpl.Resources {
		assert.LessOrEqual(t, len(id), 255, id)
	}
	for key := range parseTerraform(t, must(iac.Terraform(p))) {
		assert.LessOrEqual(t, len(key), 255, key)
	}
}

func TestATableSharedByServicesIsRenderedOnce(t *testing.T) {
	plans := shopPlans(t) // orders and payments both declare the four tables
	require.Len(t, plans[0].Tables, 4)
	require.Equal(t, plans[0].Tables, plans[1].Tables)
	tpl := parseTemplate(t, must(iac.CloudFormation(plans...)))
	names := map[string]int{}
	for _, r := range tpl.Resources {
		if r.Type == "AWS::DynamoDB::Table" {
			names[r.Properties["TableName"].(string)]++
		}
	}
	assert.Equal(t, map[string]int{"shop_commands": 1, "shop_entities": 1, "shop_idempotency": 1, "shop_views": 1}, names)
	var tables int
	for key := range parseTerraform(t, must(iac.Terraform(plans...))) {
		if strings.HasPrefix(key, "resource aws_dynamodb_table ") {
			tables++
		}
	}
	assert.Equal(t, 4, tables)
}

func TestATableDeclaredDifferentlyConflicts(t *testing.T) {
	plans := shopPlans(t)
	for i, tbl := range plans[1].Tables {
		if tbl.Name == "shop_views" {
			plans[1].Tables[i].SortKey = ""
			plans[1].Tables[i].TTLAttribute = "expires_at"
		}
	}
	for name, render := range renderers {
		_, err := render(plans...)
		require.ErrorIs(t, err, iac.ErrConflict, name)
		assert.Contains(t, err.Error(), `table "shop_views": service "orders" declares it with partition key "pk", sort key "sk" `+
			`and service "payments" with partition key "pk", TTL attribute "expires_at"`, name)
		assert.NotContains(t, err.Error(), "shop_commands", "%s: the tables declared alike are no conflict", name)
	}
}

func TestATableNamedCanonicallyGetsIDsWithoutAHash(t *testing.T) {
	p := handPlan("state", []string{"state"}, nil)
	p.Tables = []topology.Table{{Name: "orders-state", PartitionKey: "pk"}, {Name: "orders_state", PartitionKey: "pk"}}
	tpl := parseTemplate(t, must(iac.CloudFormation(p)))
	id, _ := tpl.byName("AWS::DynamoDB::Table", "TableName", "orders-state")
	assert.Equal(t, "OrdersStateTable", id)
	other, _ := tpl.byName("AWS::DynamoDB::Table", "TableName", "orders_state")
	assert.Regexp(t, `^OrdersState[0-9a-f]{8}Table$`, other)
	blocks := parseTerraform(t, must(iac.Terraform(p)))
	assert.Contains(t, blocks, "resource aws_dynamodb_table orders_state")
}

func TestASubscriptionWithoutADeadLetterQueueIsRefused(t *testing.T) {
	p := shippingPlan(t, topology.Options{})
	require.NotEmpty(t, p.Subscriptions)
	p.Subscriptions[0].DLQ = "" // a plan built by hand
	for name, render := range renderers {
		_, err := render(p)
		require.ErrorContains(t, err, "Subscription.DLQ is required", name)
	}
}
